package io.salve.proxy.coord;

import io.salve.proxy.util.Ticker;
import java.time.Duration;
import java.util.Objects;

/**
 * The decisions of self-registration, apart from the etcd calls that carry them out: register,
 * revoke, or wait. Keeping the lease alive is {@link KeptLease}'s job; this object only knows
 * whether the instance holds one. One call is in flight at a time; failed calls back off from
 * 250ms, doubling up to 5s.
 *
 * <p>Confined to one thread (the coordination thread); time comes from the injected ticker.
 */
final class RegistrationState {
  enum Action {
    NONE,
    REGISTER,
    REVOKE
  }

  private static final Duration FIRST_RETRY = Duration.ofMillis(250);
  private static final Duration MAX_RETRY = Duration.ofSeconds(5);

  private final Ticker ticker;
  private boolean inFlight;
  private boolean waiting;
  private long notBeforeNanos;
  private Duration retry = FIRST_RETRY;

  RegistrationState(Ticker ticker) {
    this.ticker = Objects.requireNonNull(ticker, "ticker");
  }

  /**
   * @param wanted whether the instance should be registered now (its whenHealthy upstream is
   *     healthy and it is not shutting down)
   * @param registered whether it holds a registration lease
   * @return what to do now; anything but {@code NONE} must be followed by {@link #sent()} and then
   *     {@link #succeeded()} or {@link #failed()}
   */
  Action next(boolean wanted, boolean registered) {
    if (inFlight) {
      return Action.NONE;
    }
    if (!wanted) {
      return registered ? Action.REVOKE : Action.NONE;
    }
    if (registered || (waiting && ticker.nanos() - notBeforeNanos < 0)) {
      return Action.NONE;
    }
    return Action.REGISTER;
  }

  /** The call for the last action was sent. */
  void sent() {
    inFlight = true;
  }

  /** The call succeeded (a revocation always counts as done: the lease expires by itself otherwise). */
  void succeeded() {
    inFlight = false;
    waiting = false;
    retry = FIRST_RETRY;
  }

  /** The call failed: retry later with backoff. */
  void failed() {
    inFlight = false;
    waiting = true;
    notBeforeNanos = ticker.nanos() + retry.toNanos();
    Duration doubled = retry.multipliedBy(2);
    retry = doubled.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : doubled;
  }

  /** etcd answers again: the next attempt need not wait out the backoff. */
  void retryNow() {
    waiting = false;
    retry = FIRST_RETRY;
  }

  boolean inFlight() {
    return inFlight;
  }
}
