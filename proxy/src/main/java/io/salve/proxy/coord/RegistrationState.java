package io.salve.proxy.coord;

import io.salve.proxy.util.Ticker;
import java.time.Duration;
import java.util.Objects;

/**
 * The decisions of self-registration, apart from the etcd calls that carry them out: whether to
 * register, renew the lease, revoke it, or wait. One call at a time is in flight.
 *
 * <p>The lease is renewed every third of its TTL. Its life is counted from when the last successful
 * grant or renewal was <em>sent</em> (never later than etcd started counting), so once a TTL has
 * passed without a confirmed renewal the lease is presumed gone and a new one is requested.
 * Failures back off from 250ms, doubling up to 5s.
 *
 * <p>Confined to one thread (the coordination thread); time comes from the injected ticker.
 */
final class RegistrationState {
  enum Action {
    NONE,
    REGISTER,
    RENEW,
    REVOKE
  }

  private static final Duration FIRST_RETRY = Duration.ofMillis(250);
  private static final Duration MAX_RETRY = Duration.ofSeconds(5);

  private final Ticker ticker;
  private final long ttlNanos;
  private final long renewNanos;
  /** The lease the key lives under, or 0 when salve believes it has none. */
  private long leaseId;
  private long confirmedAtNanos;
  private long sentAtNanos;
  private boolean inFlight;
  private long notBeforeNanos;
  private Duration retry = FIRST_RETRY;
  private boolean waiting;

  RegistrationState(Duration ttl, Ticker ticker) {
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.ttlNanos = ttl.toNanos();
    this.renewNanos = ttl.toNanos() / 3;
  }

  /**
   * @param wanted whether the instance should be registered now (its whenHealthy upstream is
   *     healthy and it is not shutting down)
   * @return what to do now; anything but {@code NONE} must be followed by {@link #sent()} and then
   *     exactly one outcome call
   */
  Action next(boolean wanted) {
    if (inFlight) {
      return Action.NONE;
    }
    long now = ticker.nanos();
    if (leaseId != 0 && now - confirmedAtNanos >= ttlNanos) {
      leaseId = 0; // unconfirmed for a whole TTL: etcd has expired it (or will before we could know)
    }
    if (!wanted) {
      return leaseId != 0 ? Action.REVOKE : Action.NONE;
    }
    if (waiting && now - notBeforeNanos < 0) {
      return Action.NONE;
    }
    if (leaseId == 0) {
      return Action.REGISTER;
    }
    return now - confirmedAtNanos >= renewNanos ? Action.RENEW : Action.NONE;
  }

  /** The call for the last action was sent. */
  void sent() {
    inFlight = true;
    sentAtNanos = ticker.nanos();
  }

  /** The key was put under the new lease {@code id}. */
  void registered(long id) {
    done();
    leaseId = id;
    confirmedAtNanos = sentAtNanos;
  }

  /** etcd renewed the lease. */
  void renewed() {
    done();
    confirmedAtNanos = sentAtNanos;
  }

  /** etcd says the lease no longer exists: register anew. */
  void lost() {
    done();
    leaseId = 0;
  }

  /** The lease was revoked (or its revocation was attempted: it expires by itself otherwise). */
  void revoked() {
    done();
    leaseId = 0;
  }

  /** The call failed without an answer from etcd: retry later with backoff. */
  void failed() {
    inFlight = false;
    waiting = true;
    notBeforeNanos = ticker.nanos() + retry.toNanos();
    Duration doubled = retry.multipliedBy(2);
    retry = doubled.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : doubled;
  }

  private void done() {
    inFlight = false;
    waiting = false;
    retry = FIRST_RETRY;
  }

  /** @return the lease the registration lives under, 0 when none. */
  long leaseId() {
    return leaseId;
  }

  boolean inFlight() {
    return inFlight;
  }
}
