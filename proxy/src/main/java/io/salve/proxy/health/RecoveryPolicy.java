package io.salve.proxy.health;

import io.salve.config.RecoveryConfig;
import io.salve.proxy.util.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Decides when to fire a recovery action (e.g. the recovery webhook) for one upstream.
 *
 * <p>An action is due when every endpoint has been unhealthy continuously for at least {@code
 * after}, and no action was taken in the last {@code after}. A round with any healthy endpoint
 * restarts the unhealthy clock; it does not forget the last action, so flapping cannot fire actions
 * more often than once per {@code after}.
 *
 * <p>Thread-safety: {@link #evaluate} is meant to be called by the prober after each round; it is
 * lock-free and safe to call concurrently (each due action is granted to exactly one caller).
 * Accessors may be read from any thread.
 */
public final class RecoveryPolicy {

  /** One immutable snapshot so the "due" decision and its bookkeeping commit atomically. */
  private record State(
      boolean unhealthy, long unhealthySince, boolean acted, long lastActionAt, int actions) {}

  private final long afterNanos;
  private final Ticker ticker;
  private final AtomicReference<State> state =
      new AtomicReference<>(new State(false, 0L, false, 0L, 0));

  /**
   * @param after how long all endpoints must stay unhealthy before acting, and the minimum gap
   *     between two actions; must be positive
   * @param ticker the clock both are measured with
   * @throws IllegalArgumentException if {@code after} is not positive
   */
  public RecoveryPolicy(Duration after, Ticker ticker) {
    if (after.isNegative() || after.isZero()) {
      throw new IllegalArgumentException("recovery 'after' must be positive: " + after);
    }
    this.afterNanos = after.toNanos();
    this.ticker = Objects.requireNonNull(ticker, "ticker");
  }

  /** @return a policy using {@code config.after()}. */
  public static RecoveryPolicy from(RecoveryConfig config, Ticker ticker) {
    return new RecoveryPolicy(config.after(), ticker);
  }

  /**
   * Records the outcome of one probe round and says whether to act now.
   *
   * @param allUnhealthy whether every endpoint of the upstream is unhealthy after this round
   * @return true when the caller should fire the recovery action now; the action is then counted
   *     and the next one is due no sooner than {@code after} from now
   */
  public boolean evaluate(boolean allUnhealthy) {
    long now = ticker.nanos();
    while (true) {
      State before = state.get();
      State after = next(before, allUnhealthy, now);
      if (before == after || state.compareAndSet(before, after)) {
        return after.actions() != before.actions();
      }
    }
  }

  private State next(State s, boolean allUnhealthy, long now) {
    if (!allUnhealthy) {
      return s.unhealthy()
          ? new State(false, 0L, s.acted(), s.lastActionAt(), s.actions())
          : s;
    }
    long since = s.unhealthy() ? s.unhealthySince() : now;
    // Differences, not comparisons of readings: monotonic nanos may wrap.
    boolean longEnough = now - since >= afterNanos;
    boolean quietEnough = !s.acted() || now - s.lastActionAt() >= afterNanos;
    if (longEnough && quietEnough) {
      return new State(true, since, true, now, s.actions() + 1);
    }
    return s.unhealthy() ? s : new State(true, since, s.acted(), s.lastActionAt(), s.actions());
  }

  /**
   * @return the ticker reading of the round that started the current all-unhealthy spell, or -1
   *     when the last round had a healthy endpoint (or none ran yet)
   */
  public long unhealthySinceNanos() {
    State s = state.get();
    return s.unhealthy() ? s.unhealthySince() : -1L;
  }

  /** @return how many times {@link #evaluate} has said to act. */
  public int actionsTaken() {
    return state.get().actions();
  }

  /** @return the configured {@code after}, in nanoseconds. */
  public long afterNanos() {
    return afterNanos;
  }
}
