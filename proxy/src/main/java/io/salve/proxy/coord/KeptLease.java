package io.salve.proxy.coord;

import io.etcd.jetcd.Lease;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.lease.NoSuchLeaseException;
import io.grpc.Status;
import io.salve.proxy.util.Ticker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One etcd lease that salve keeps alive: granted for a ttl, renewed with a keep-alive every third
 * of the window its {@link LeaseGuard} trusts, until it is {@linkplain #revoke() revoked},
 * {@linkplain #stop() dropped}, or etcd says it is gone. Used by the election (and meant for
 * registration): what is written under the lease lives exactly as long as the lease.
 *
 * <p>Owned by the coordination thread: create, revoke and stop it there; the listener is called
 * there.
 */
public final class KeptLease {
  private static final Logger LOG = LoggerFactory.getLogger(KeptLease.class);

  /** Hears about the lease, on the coordination thread. */
  public interface Listener {
    /** etcd confirmed a keep-alive: {@link #trusted()} may have turned true again. */
    default void onRenewed() {}

    /** etcd says the lease no longer exists (it expired): whatever it held is gone. */
    void onLost();
  }

  private final EtcdSession session;
  private final Ticker ticker;
  private final long id;
  private final LeaseGuard guard;
  private final long keepAliveNanos;
  private final Listener listener;
  private ScheduledFuture<?> next;
  private boolean over;
  private volatile String lastError;

  private KeptLease(EtcdSession session, Duration ttl, Ticker ticker, long id, long grantSentNanos, Listener listener) {
    this.session = session;
    this.ticker = ticker;
    this.id = id;
    this.guard = new LeaseGuard(ttl, ticker);
    this.listener = listener;
    // Three renewals fit in the window the guard trusts, so one lost keep-alive costs nothing.
    this.keepAliveNanos =
        Math.max(TimeUnit.MILLISECONDS.toNanos(100), ttl.minus(LeaseGuard.margin(ttl)).toNanos() / 3);
    guard.renewed(grantSentNanos);
    next = session.executor().schedule(this::keepAlive, keepAliveNanos, TimeUnit.NANOSECONDS);
  }

  /**
   * Grants a lease of {@code ttl} (rounded up to whole seconds on etcd; the guard uses {@code ttl})
   * and starts keeping it alive. Call on the coordination thread; completes there.
   */
  public static CompletableFuture<KeptLease> grant(EtcdSession session, Duration ttl, Ticker ticker, Listener listener) {
    long sent = ticker.nanos();
    return session.call("lease grant", () -> lease(session).grant(wholeSeconds(ttl)))
        .thenApply(granted -> new KeptLease(session, ttl, ticker, granted.getID(), sent, listener));
  }

  static long wholeSeconds(Duration ttl) {
    long s = ttl.toSeconds();
    return ttl.equals(Duration.ofSeconds(s)) ? s : s + 1;
  }

  private static Lease lease(EtcdSession session) {
    return session.client().getLeaseClient();
  }

  /** @return the etcd lease id, to attach keys to. */
  public long id() {
    return id;
  }

  /** @return whether the lease is surely still alive on etcd (see {@link LeaseGuard}). */
  public boolean trusted() {
    return !over && guard.trusted();
  }

  /** @return nanoseconds until {@link #trusted()} turns false without another renewal. */
  public long nanosUntilDistrust() {
    return over ? 0 : guard.nanosUntilDistrust();
  }

  /** @return the last failed keep-alive, or null. */
  public String lastError() {
    return lastError;
  }

  private void keepAlive() {
    if (over) {
      return;
    }
    next = session.executor().schedule(this::keepAlive, keepAliveNanos, TimeUnit.NANOSECONDS);
    long sent = ticker.nanos();
    // Answers count from when they were sent, so a slow one still helps: wait for it a while.
    Duration bound = Duration.ofNanos(Math.max(keepAliveNanos, EtcdSession.CALL_TIMEOUT.toNanos()));
    session.call("lease keep-alive", () -> lease(session).keepAliveOnce(id), bound)
        .whenComplete(
            (answer, error) -> {
              if (over) {
                return;
              }
              if (error == null && answer.getTTL() > 0) {
                lastError = null;
                guard.renewed(sent);
                listener.onRenewed();
              } else if (error == null || gone(error)) {
                lastError = "the lease expired on etcd";
                stop();
                listener.onLost();
              } else {
                lastError = "lease keep-alive: " + EtcdSession.describe(error);
              }
            });
  }

  /** @return whether {@code error} says the lease does not exist (any more). */
  static boolean gone(Throwable error) {
    return error instanceof NoSuchLeaseException
        || (error instanceof EtcdException e && e.getErrorCode() == ErrorCode.NOT_FOUND)
        || Status.fromThrowable(error).getCode() == Status.Code.NOT_FOUND;
  }

  /** Stops renewing without revoking: the lease expires on etcd within its ttl. */
  public void stop() {
    over = true;
    if (next != null) {
      next.cancel(false);
    }
  }

  /**
   * Stops renewing and revokes the lease, which deletes every key attached to it at once. Never
   * fails: if etcd does not answer, the lease expires within its ttl anyway.
   */
  public CompletableFuture<Void> revoke() {
    stop();
    return session.call("lease revoke", () -> lease(session).revoke(id))
        .handle(
            (r, e) -> {
              if (e != null && !gone(e)) {
                LOG.info("coordination: revoking lease {} failed ({}); etcd expires it within its ttl,"
                        + " and salve revokes it when etcd answers again",
                    Long.toHexString(id), EtcdSession.describe(e));
                session.revokeLater(id);
              }
              return null;
            });
  }
}
