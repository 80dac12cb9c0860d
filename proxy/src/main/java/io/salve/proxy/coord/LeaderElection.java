package io.salve.proxy.coord;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Election;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.election.LeaderKey;
import io.etcd.jetcd.election.NoLeaderException;
import io.etcd.jetcd.lease.NoSuchLeaseException;
import io.etcd.jetcd.options.WatchOption;
import io.grpc.Status;
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
  /** Re-reads the leader even without watch events: covers a watch that is reconnecting. */
  private static final long REFRESH_MILLIS = 2000;

  /** One lease and the campaign under it. */
  private final class Term {
    final LeaseGuard guard = new LeaseGuard(ttl, ticker);
    long leaseId;
    LeaderKey key;
    long wonAtRefresh;
    boolean over;
    boolean distrustLogged;
    ScheduledFuture<?> keepAlive;
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
  private final long keepAliveNanos;
  private final ReconnectBackoff retry = new ReconnectBackoff();

  private Term term;
  private long retryAtNanos;
  private boolean stopping;
  private boolean wasHealthy = true;
  private String observedLeader;
  private Long observedRevision;
  private long endedRevision = -1;
  private long refreshes;
  private long appliedRefresh;
  private volatile String lastError;
  private Watch.Watcher watcher;
  private ScheduledFuture<?> tick;
  private ScheduledFuture<?> refresh;

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
    // Three renewals fit in the window the guard trusts, so one lost keep-alive costs nothing.
    this.keepAliveNanos = Math.max(
        TimeUnit.MILLISECONDS.toNanos(100), ttl.minus(LeaseGuard.margin(ttl)).toNanos() / 3);
  }

  /** etcd leases are whole seconds: round up, so the lease is never shorter than configured. */
  private long ttlSeconds() {
    long s = ttl.toSeconds();
    return ttl.equals(Duration.ofSeconds(s)) ? s : s + 1;
  }

  void start() {
    executor.execute(
        () -> {
          LOG.info(
              "election {}: campaigning as {} under {} with ttl {}ms{}",
              config.election(), identity, name.toString(StandardCharsets.UTF_8), ttl.toMillis(),
              config.whenHealthy() == null ? "" : " while upstream " + config.whenHealthy() + " is healthy");
          retryAtNanos = ticker.nanos();
          watch();
          tick = executor.scheduleWithFixedDelay(guarded(this::tick), 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
          refresh =
              executor.scheduleWithFixedDelay(guarded(this::refreshLeader), 0, REFRESH_MILLIS, TimeUnit.MILLISECONDS);
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

  private Lease lease() {
    return session.client().getLeaseClient();
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
    if (term != null && term.key != null && !term.guard.trusted() && !term.distrustLogged) {
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
    long sent = ticker.nanos();
    session.call("lease grant", () -> lease().grant(ttlSeconds()))
        .whenComplete(
            (granted, error) -> {
              if (error != null) {
                failed(t, "lease grant", error);
                return;
              }
              t.leaseId = granted.getID();
              if (t.over) {
                revoke(t);
                return;
              }
              t.guard.renewed(sent);
              t.keepAlive = executor.schedule(() -> keepAlive(t), keepAliveNanos, TimeUnit.NANOSECONDS);
              campaign(t);
            });
  }

  private void campaign(Term t) {
    // No time bound: etcd answers a campaign only once this key is the oldest, which may be never.
    // The term's keep-alives decide whether it is still worth waiting for.
    election()
        .campaign(name, t.leaseId, EtcdSession.bytes(identity))
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
    t.wonAtRefresh = refreshes;
    retry.afterSuccess();
    LOG.info("election {}: {} leads with fencing token {}", config.election(), identity, key.getRevision());
    publish();
    refreshLeader();
  }

  /** @return the key etcd's election API creates for a campaign under {@code t}'s lease. */
  private ByteSequence ownKey(Term t) {
    return EtcdSession.bytes(name.toString(StandardCharsets.UTF_8) + "/" + Long.toHexString(t.leaseId));
  }

  private void keepAlive(Term t) {
    if (t.over) {
      return;
    }
    t.keepAlive = executor.schedule(() -> keepAlive(t), keepAliveNanos, TimeUnit.NANOSECONDS);
    long sent = ticker.nanos();
    session.call("lease keep-alive", () -> lease().keepAliveOnce(t.leaseId), Duration.ofNanos(keepAliveNanos))
        .whenComplete(
            (answer, error) -> {
              if (t.over) {
                return;
              }
              if (error == null && answer.getTTL() > 0) {
                if (t.distrustLogged && t.key != null) {
                  LOG.info("election {}: lease renewed again; still leading", config.election());
                }
                t.distrustLogged = false;
                t.guard.renewed(sent);
                publish();
              } else if (error == null || leaseGone(error)) {
                failed(t, "lease keep-alive", new IllegalStateException("the lease expired on etcd"));
              } else {
                lastError = "lease keep-alive: " + EtcdSession.describe(error);
              }
            });
  }

  private static boolean leaseGone(Throwable error) {
    return error instanceof NoSuchLeaseException
        || (error instanceof EtcdException e && e.getErrorCode() == ErrorCode.NOT_FOUND)
        || Status.fromThrowable(error).getCode() == Status.Code.NOT_FOUND;
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
    if (t.keepAlive != null) {
      t.keepAlive.cancel(false);
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
    return done.thenCompose(x -> revoke(t));
  }

  private CompletableFuture<Void> revoke(Term t) {
    if (t.leaseId == 0) {
      return CompletableFuture.completedFuture(null);
    }
    return session.call("lease revoke", () -> lease().revoke(t.leaseId))
        .handle(
            (r, e) -> {
              if (e != null && !leaseGone(e)) {
                LOG.info("election {}: revoking lease failed ({}); etcd expires it within the ttl",
                    config.election(), EtcdSession.describe(e));
              }
              return null;
            });
  }

  private void watch() {
    if (stopping) {
      return;
    }
    ByteSequence prefix = EtcdSession.bytes(name.toString(StandardCharsets.UTF_8) + "/");
    watcher =
        session.client().getWatchClient()
            .watch(
                prefix,
                WatchOption.builder().isPrefix(true).build(),
                Watch.listener(
                    events -> hop(this::refreshLeader),
                    error -> hop(() -> {
                      lastError = "watch: " + EtcdSession.describe(error);
                      watcher.close();
                      executor.schedule(this::watch, 1, TimeUnit.SECONDS);
                    })));
  }

  private void hop(Runnable r) {
    try {
      executor.execute(r);
    } catch (RejectedExecutionException closed) {
      // shutting down: nothing left to update
    }
  }

  private void refreshLeader() {
    long seq = ++refreshes;
    session.call("leader", () -> election().leader(name))
        .whenComplete(
            (answer, error) -> {
              if (seq <= appliedRefresh) {
                return;
              }
              if (error == null) {
                observedLeader = answer.getKv().getValue().toString(StandardCharsets.UTF_8);
                observedRevision = answer.getKv().getCreateRevision();
                Term pending = term;
                if (pending != null && pending.key == null && pending.leaseId != 0
                    && answer.getKv().getKey().equals(ownKey(pending))) {
                  // etcd already names our key: that is exactly what the pending campaign waits for.
                  appliedRefresh = seq;
                  won(pending, new LeaderKey(name, ownKey(pending), observedRevision, pending.leaseId));
                  return;
                }
              } else if (error instanceof NoLeaderException) {
                observedLeader = null;
                observedRevision = null;
              } else {
                return; // unknown: keep the last known leader
              }
              appliedRefresh = seq;
              Term t = term;
              if (t != null && t.key != null && seq > t.wonAtRefresh
                  && !Objects.equals(observedRevision, t.key.getRevision())) {
                // etcd read after the win names another key: ours is gone, whatever the lease says.
                failed(t, "leader key", new IllegalStateException("this instance's leader key is gone"));
              }
              publish();
            });
  }

  private void publish() {
    Term t = term;
    if (t != null && t.key != null) {
      boolean self = wasHealthy && t.guard.trusted();
      if (self) {
        board.publish(identity, true, t.key.getRevision(), ticker.nanos() + t.guard.nanosUntilDistrust());
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
        refresh.cancel(false);
      }
      if (watcher != null) {
        watcher.close();
      }
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
    m.put("lastError", lastError);
    m.put("waiting", board.waiting());
    return m;
  }
}
