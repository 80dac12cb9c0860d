package io.salve.proxy.coord;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.election.LeaderKey;
import io.salve.config.CoordinationConfig.LeaderElectionConfig;
import io.salve.proxy.util.Ticker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code coordination.leaderElection}: campaigns with etcd's election API for {@code
 * {namespace}/elections/{election}} under a lease of {@code ttl}, with the identity as value, only
 * while the {@code whenHealthy} upstream has a healthy endpoint, and publishes what it knows to a
 * {@link LeaderBoard}.
 *
 * <p>One <em>term</em> ({@link ElectionTerm}) is one lease: grant, keep alive every third of the
 * trusted window, campaign (which etcd answers once this instance's key is the oldest), then lead
 * until the upstream turns unhealthy (resign and revoke), shutdown (the same), or the lease is lost
 * (a new term after a backoff). This class decides when a term starts and ends and reconciles it
 * with what the {@link LeaderObserver} reads; a {@link LeaderReporter} turns what it knows into
 * what the {@link LeaderBoard} says. {@code self} is true only while the term has won, the upstream
 * is healthy and the {@link LeaseGuard} trusts the lease; the fencing token is the create revision
 * of the leader's key.
 *
 * <p>Every field is owned by the coordination thread; jetcd callbacks hop onto it.
 */
final class LeaderElection implements ElectionTerm.Outcome {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);
  private static final long TICK_MILLIS = 100;

  private final EtcdSession session;
  private final ScheduledExecutorService executor;
  private final LeaderElectionConfig config;
  private final String identity;
  private final Duration ttl;
  private final BooleanSupplier healthy;
  private final Ticker ticker;
  private final LeaderBoard board;
  private final LeaderReporter reporter;
  private final ByteSequence name;
  private final ReconnectBackoff retry = new ReconnectBackoff();

  private ElectionTerm term;
  private long retryAtNanos;
  private boolean stopping;
  private boolean wasHealthy = true;
  private volatile String lastError;
  private final LeaderObserver observer;
  private ScheduledFuture<?> tick;

  LeaderElection(
      EtcdSession session,
      LeaderElectionConfig config,
      String identity,
      BooleanSupplier healthy,
      Ticker ticker,
      LeaderBoard board) {
    this.session = session;
    this.executor = session.executor();
    this.config = config;
    this.identity = identity;
    this.ttl = config.ttl();
    this.healthy = healthy;
    this.ticker = ticker;
    this.board = board;
    this.reporter = new LeaderReporter(board, identity, ticker);
    this.name = session.key("elections/" + config.election());
    this.observer = new LeaderObserver(session, name, this::onLeader);
  }

  void start() {
    executor.execute(
        () -> {
          LOG.info(
              "election {}: campaigning as {} under {} with ttl {}ms{}",
              config.election(), identity, name.toString(StandardCharsets.UTF_8), ttl.toMillis(),
              config.whenHealthy() == null ? "" : " while upstream " + config.whenHealthy() + " is healthy");
          retryAtNanos = ticker.nanos();
          observer.start();
          tick = executor.scheduleWithFixedDelay(guarded(this::tick), 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
        });
  }

  /** A periodic task that throws is silently never run again: log and carry on instead. */
  private Runnable guarded(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.error("election {}: unexpected failure", config.election(), e);
      }
    };
  }

  private void tick() {
    boolean ok = healthy.getAsBoolean();
    if (ok != wasHealthy) {
      wasHealthy = ok;
      LOG.info("election {}: upstream {} is {}", config.election(), config.whenHealthy(), ok ? "healthy again" : "unhealthy");
    }
    if (term != null && !ok) {
      end(term, "upstream " + config.whenHealthy() + " has no healthy endpoint", true);
    }
    if (term != null && term.newlyDistrusted()) {
      LOG.warn(
          "election {}: lease not renewed in time (etcd: {}); reporting self: false before it could expire",
          config.election(), session.lastError());
    }
    if (term == null && ok && !stopping && ticker.nanos() - retryAtNanos >= 0) {
      term = new ElectionTerm(session, name, identity, ttl, ticker, this);
      term.begin();
    }
    publish();
  }

  @Override
  public void renewed(ElectionTerm t, boolean afterDistrust) {
    if (afterDistrust) {
      LOG.info("election {}: lease renewed again; still leading", config.election());
    }
    publish();
  }

  @Override
  public void won(ElectionTerm t, LeaderKey key) {
    t.lead(key, observer.issued());
    retry.afterSuccess();
    LOG.info("election {}: {} leads with fencing token {}", config.election(), identity, key.getRevision());
    publish();
    observer.refresh();
  }

  @Override
  public void failed(ElectionTerm t, String what, Throwable error) {
    lastError = what + ": " + EtcdSession.describe(error);
    if (t.over()) {
      return;
    }
    LOG.warn("election {}: {}; campaigning again after a backoff", config.election(), lastError);
    end(t, lastError, false);
    retryAtNanos = ticker.nanos() + retry.afterFailure().toNanos();
  }

  /** Ends a term: stop renewing, then resign (if it leads and {@code resign}) and revoke the lease. */
  private CompletableFuture<Void> end(ElectionTerm t, String reason, boolean resign) {
    if (t.over()) {
      return CompletableFuture.completedFuture(null);
    }
    t.stopRenewing();
    if (term == t) {
      term = null;
    }
    if (t.leads()) {
      reporter.steppedDown(t.fencingToken());
      LOG.info("election {}: {} steps down: {}", config.election(), identity, reason);
    }
    publish();
    return t.resignAndRevoke(resign);
  }

  /** What etcd says about the leader, read after {@code read} was issued. */
  private void onLeader(long read, KeyValue leader) {
    Long leaderRevision = reporter.observed(leader);
    ElectionTerm t = term;
    LeaderKey pending = leader == null || t == null ? null : t.alreadyLeading(leader);
    if (pending != null) {
      // etcd already names our key: that is exactly what the pending campaign waits for.
      won(t, pending);
      return;
    }
    if (t != null && t.lostTo(read, leaderRevision)) {
      failed(t, "leader key", new IllegalStateException("this instance's leader key is gone"));
    }
    publish();
  }

  private void hop(Runnable r) {
    try {
      executor.execute(r);
    } catch (RejectedExecutionException closed) {
      // shutting down: nothing left to update
    }
  }

  private void publish() {
    reporter.publish(term, wasHealthy);
  }

  /** Stops campaigning, resigns and revokes; the future completes on the coordination thread. */
  CompletableFuture<Void> stop() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    hop(() -> {
      stopping = true;
      if (tick != null) {
        tick.cancel(false);
      }
      observer.stop();
      ElectionTerm t = term;
      CompletableFuture<Void> ended = t == null ? CompletableFuture.completedFuture(null) : end(t, "shutting down", true);
      ended.whenComplete((x, e) -> done.complete(null));
    });
    return done;
  }

  /** @return the election part of {@code /admin/state}: read from the admin thread, so only the board. */
  Map<String, Object> describe() {
    LeaderView v = board.current();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("election", v.election());
    m.put("leader", v.leader());
    m.put("self", v.self());
    m.put("fencingToken", v.fencingToken());
    m.put("since", v.since().toString());
    m.put("ttlMillis", ttl.toMillis());
    m.put("whenHealthy", config.whenHealthy());
    m.put("lastError", lastError != null ? lastError : observer.lastError());
    m.put("waiting", board.waiting());
    return m;
  }
}
