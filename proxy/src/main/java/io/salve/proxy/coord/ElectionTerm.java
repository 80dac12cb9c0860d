package io.salve.proxy.coord;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.election.LeaderKey;
import io.salve.proxy.util.Ticker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * One term of a {@link LeaderElection}: one lease and the campaign under it. {@link #begin()}
 * grants the lease (kept alive by {@link KeptLease}) and campaigns with it; the term then leads from
 * the moment it is {@linkplain #lead won} until it is {@linkplain #stopRenewing() over}, after which
 * {@link #resignAndRevoke} gives up the key and the lease. What the election does about a win or a
 * failure is its own business: the term only reports them to its {@link Outcome}.
 *
 * <p>Owned by the coordination thread; jetcd callbacks hop onto it before the outcome is told.
 */
final class ElectionTerm {
  /** What a term reports to its election, on the coordination thread. */
  interface Outcome {
    /** The lease was renewed; {@code afterDistrust} if it had been distrusted while leading. */
    void renewed(ElectionTerm term, boolean afterDistrust);

    /** etcd answered the campaign: this term's key is now the oldest. */
    void won(ElectionTerm term, LeaderKey key);

    /** {@code what} failed: the term cannot lead (any more). */
    void failed(ElectionTerm term, String what, Throwable error);
  }

  private final EtcdSession session;
  private final ByteSequence name;
  private final String identity;
  private final Duration ttl;
  private final Ticker ticker;
  private final Outcome outcome;
  private KeptLease lease;
  private LeaderKey key;
  private long wonAtRead;
  private boolean over;
  private boolean distrustLogged;

  ElectionTerm(EtcdSession session, ByteSequence name, String identity, Duration ttl, Ticker ticker, Outcome outcome) {
    this.session = session;
    this.name = name;
    this.identity = identity;
    this.ttl = ttl;
    this.ticker = ticker;
    this.outcome = outcome;
  }

  /** Grants the term's lease, then campaigns under it. */
  void begin() {
    KeptLease.grant(session, ttl, ticker, new KeptLease.Listener() {
          @Override
          public void onRenewed() {
            boolean afterDistrust = distrustLogged && key != null;
            distrustLogged = false;
            outcome.renewed(ElectionTerm.this, afterDistrust);
          }

          @Override
          public void onLost() {
            outcome.failed(ElectionTerm.this, "lease keep-alive", new IllegalStateException("the lease expired on etcd"));
          }
        })
        .whenComplete(
            (granted, error) -> {
              if (error != null) {
                outcome.failed(this, "lease grant", error);
                return;
              }
              lease = granted;
              if (over) {
                granted.revoke();
                return;
              }
              campaign();
            });
  }

  private void campaign() {
    // No time bound: etcd answers a campaign only once this key is the oldest, which may be never.
    // The term's keep-alives decide whether it is still worth waiting for.
    session.client().getElectionClient()
        .campaign(name, lease.id(), EtcdSession.bytes(identity))
        .whenCompleteAsync(
            (won, error) -> {
              if (over) {
                return;
              }
              if (error != null) {
                outcome.failed(this, "campaign", error);
                return;
              }
              if (key == null) {
                outcome.won(this, won.getLeader());
              }
            },
            session.executor());
  }

  /** Records the win; {@code read} is the leader read issued at that moment. */
  void lead(LeaderKey won, long read) {
    key = won;
    wonAtRead = read;
  }

  /** @return whether this term has won (and has not yet been told it lost). */
  boolean leads() {
    return key != null;
  }

  boolean over() {
    return over;
  }

  /** @return the fencing token (the create revision of the leader key); only while {@link #leads()} */
  long fencingToken() {
    return key.getRevision();
  }

  /** @return whether the lease guard still vouches for the lease; only while {@link #leads()} */
  boolean trusted() {
    return lease.trusted();
  }

  /** @return how long the lease stays trusted without a renewal; only while {@link #leads()} */
  long nanosUntilDistrust() {
    return lease.nanosUntilDistrust();
  }

  /** @return true once per lapse of trust while leading, so the lapse is logged once */
  boolean newlyDistrusted() {
    if (key == null || lease.trusted() || distrustLogged) {
      return false;
    }
    distrustLogged = true;
    return true;
  }

  /**
   * @return the key this term's pending campaign waits for, if etcd already names it as leader:
   *     etcd may answer a leader read before it answers the campaign
   */
  LeaderKey alreadyLeading(KeyValue leader) {
    if (key != null || lease == null || !leader.getKey().equals(ownKey())) {
      return null;
    }
    return new LeaderKey(name, ownKey(), leader.getCreateRevision(), lease.id());
  }

  /** @return whether etcd, read after the win, names another key: ours is gone, whatever the lease says */
  boolean lostTo(long read, Long leaderRevision) {
    return key != null && read > wonAtRead && !Objects.equals(leaderRevision, key.getRevision());
  }

  /** @return the key etcd's election API creates for a campaign under this term's lease. */
  private ByteSequence ownKey() {
    return EtcdSession.bytes(name.toString(StandardCharsets.UTF_8) + "/" + Long.toHexString(lease.id()));
  }

  /** Marks the term over and stops renewing its lease: from here on it reports nothing. */
  void stopRenewing() {
    over = true;
    if (lease != null) {
      lease.stop();
    }
  }

  /** Resigns (if it leads and {@code resign}) and revokes the lease; failures are ignored. */
  CompletableFuture<Void> resignAndRevoke(boolean resign) {
    CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
    if (resign && key != null) {
      LeaderKey k = key;
      done = session.call("resign", () -> session.client().getElectionClient().resign(k)).handle((r, e) -> null);
    }
    return lease == null ? done : done.thenCompose(x -> lease.revoke());
  }
}
