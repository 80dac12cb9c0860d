package io.salve.proxy.coord;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Election;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.election.LeaderKey;
import io.salve.config.CoordinationConfig.LeaderElectionConfig;
import io.salve.proxy.util.Ticker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
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
 * <p>One <em>term</em> is one lease: grant, keep alive every third of the trusted window, campaign
 * (which etcd answers once this instance's key is the oldest), then lead until the upstream turns
 * unhealthy (resign and revoke), shutdown (the same), or the lease is lost (a new term after a
 * backoff). {@code self} is true only while the term has won, the upstream is healthy and the
 * {@link LeaseGuard} trusts the lease; the fencing token is the create revision of the leader's key.
 *
 * <p>Every field is owned by the coordination thread; jetcd callbacks hop onto it.
 */
final class LeaderElection {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);
  private static final long TICK_MILLIS = 100;

  /** One lease and the campaign under it. */
  private static final class Term {
    KeptLease lease;
    LeaderKey key;
    long wonAtRead;
    boolean over;
    boolean distrustLogged;
  }

  private final EtcdSession session;
  private final ScheduledExecutorService executor;
  private final LeaderElectionConfig config;
  private final String identity;
  private final Duration ttl;
  private final BooleanSupplier healthy;
  private final Ticker ticker;
  private final LeaderBoard board;
  private final ByteSequence name;
  private final ReconnectBackoff retry = new ReconnectBackoff();

  private Term term;
  private long retryAtNanos;
  private boolean stopping;
  private boolean wasHealthy = true;
  private String observedLeader;
  private Long observedRevision;
  private long endedRevision = -1;
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

  private Election election() {
    return session.client().getElectionClient();
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
    if (term != null && term.key != null && !term.lease.trusted() && !term.distrustLogged) {
      term.distrustLogged = true;
      LOG.warn(
          "election {}: lease not renewed in time (etcd: {}); reporting self: false before it could expire",
          config.election(), session.lastError());
    }
    if (term == null && ok && !stopping && ticker.nanos() - retryAtNanos >= 0) {
      startTerm();
    }
    publish();
  }

  private void startTerm() {
    Term t = new Term();
    term = t;
    KeptLease.grant(session, ttl, ticker, new KeptLease.Listener() {
          @Override
          public void onRenewed() {
            if (t.distrustLogged && t.key != null) {
              LOG.info("election {}: lease renewed again; still leading", config.election());
            }
            t.distrustLogged = false;
            publish();
          }

          @Override
          public void onLost() {
            failed(t, "lease keep-alive", new IllegalStateException("the lease expired on etcd"));
          }
        })
        .whenComplete(
            (lease, error) -> {
              if (error != null) {
                failed(t, "lease grant", error);
                return;
              }
              t.lease = lease;
              if (t.over) {
                lease.revoke();
                return;
              }
              campaign(t);
            });
  }

  private void campaign(Term t) {
    // No time bound: etcd answers a campaign only once this key is the oldest, which may be never.
    // The term's keep-alives decide whether it is still worth waiting for.
    election()
        .campaign(name, t.lease.id(), EtcdSession.bytes(identity))
        .whenCompleteAsync(
            (won, error) -> {
              if (t.over) {
                return;
              }
              if (error != null) {
                failed(t, "campaign", error);
                return;
              }
              if (t.key == null) {
                won(t, won.getLeader());
              }
            },
            executor);
  }

  private void won(Term t, LeaderKey key) {
    t.key = key;
    t.wonAtRead = observer.issued();
    retry.afterSuccess();
    LOG.info("election {}: {} leads with fencing token {}", config.election(), identity, key.getRevision());
    publish();
    observer.refresh();
  }

  /** @return the key etcd's election API creates for a campaign under {@code t}'s lease. */
  private ByteSequence ownKey(Term t) {
    return EtcdSession.bytes(name.toString(StandardCharsets.UTF_8) + "/" + Long.toHexString(t.lease.id()));
  }

  private void failed(Term t, String what, Throwable error) {
    lastError = what + ": " + EtcdSession.describe(error);
    if (t.over) {
      return;
    }
    LOG.warn("election {}: {}; campaigning again after a backoff", config.election(), lastError);
    end(t, lastError, false);
    retryAtNanos = ticker.nanos() + retry.afterFailure().toNanos();
  }

  /** Ends a term: stop renewing, then resign (if it leads and {@code resign}) and revoke the lease. */
  private CompletableFuture<Void> end(Term t, String reason, boolean resign) {
    if (t.over) {
      return CompletableFuture.completedFuture(null);
    }
    t.over = true;
    if (term == t) {
      term = null;
    }
    if (t.lease != null) {
      t.lease.stop();
    }
    if (t.key != null) {
      endedRevision = t.key.getRevision();
      LOG.info("election {}: {} steps down: {}", config.election(), identity, reason);
    }
    publish();
    CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
    if (resign && t.key != null) {
      done = session.call("resign", () -> election().resign(t.key)).handle((r, e) -> null);
    }
    return t.lease == null ? done : done.thenCompose(x -> t.lease.revoke());
  }

  /** What etcd says about the leader, read after {@code read} was issued. */
  private void onLeader(long read, KeyValue leader) {
    observedLeader = leader == null ? null : leader.getValue().toString(StandardCharsets.UTF_8);
    observedRevision = leader == null ? null : leader.getCreateRevision();
    Term t = term;
    if (leader != null && t != null && t.key == null && t.lease != null && leader.getKey().equals(ownKey(t))) {
      // etcd already names our key: that is exactly what the pending campaign waits for.
      won(t, new LeaderKey(name, ownKey(t), observedRevision, t.lease.id()));
      return;
    }
    if (t != null && t.key != null && read > t.wonAtRead && !Objects.equals(observedRevision, t.key.getRevision())) {
      // etcd, read after the win, names another key: ours is gone, whatever the lease says.
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
    Term t = term;
    if (t != null && t.key != null) {
      boolean self = wasHealthy && t.lease.trusted();
      if (self) {
        board.publish(identity, true, t.key.getRevision(), ticker.nanos() + t.lease.nanosUntilDistrust());
      } else {
        board.publish(null, null); // leading on etcd, maybe, but salve can no longer vouch for it
      }
    } else if (observedRevision != null && observedRevision == endedRevision) {
      board.publish(null, null); // our own resigned key, until etcd says who follows
    } else {
      board.publish(observedLeader, observedRevision);
    }
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
      Term t = term;
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
