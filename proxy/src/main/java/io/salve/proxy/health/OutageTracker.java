package io.salve.proxy.health;

import io.salve.proxy.util.Ticker;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Tells when an upstream enters an outage (every endpoint unhealthy) and when it recovers from one
 * (some endpoint healthy again), so the runtime logs each once and drains stale pooled connections
 * on recovery.
 *
 * <p>An upstream with no endpoints at all (e.g. every lease lapsed) gives no information: its state
 * is kept as it was. Thread-safe and lock-free: each change is reported to exactly one caller even
 * when probes of several endpoints finish concurrently on different event loops.
 */
public final class OutageTracker {

  /** What one update changed. */
  public enum Change {
    /** Nothing: still up, or still down. */
    NONE,
    /** Every endpoint just became unhealthy. */
    OUTAGE_STARTED,
    /** At least one endpoint is healthy again after an outage. */
    RECOVERED
  }

  private record State(boolean down, long sinceNanos, long lastOutageNanos) {}

  private final Ticker ticker;
  private final AtomicReference<State> state = new AtomicReference<>(new State(false, 0L, 0L));

  public OutageTracker(Ticker ticker) {
    this.ticker = Objects.requireNonNull(ticker, "ticker");
  }

  /**
   * Records the upstream's current health.
   *
   * @param healthy endpoints passing probes; {@code 0 <= healthy <= total}
   * @param total all endpoints
   * @return the change this update made, if any
   */
  public Change update(int healthy, int total) {
    if (total < 0 || healthy < 0 || healthy > total) {
      throw new IllegalArgumentException("need 0 <= healthy <= total: " + healthy + "/" + total);
    }
    if (total == 0) {
      return Change.NONE;
    }
    boolean down = healthy == 0;
    long now = ticker.nanos();
    while (true) {
      State before = state.get();
      if (before.down() == down) {
        return Change.NONE;
      }
      State after =
          down ? new State(true, now, 0L) : new State(false, now, now - before.sinceNanos());
      if (state.compareAndSet(before, after)) {
        return down ? Change.OUTAGE_STARTED : Change.RECOVERED;
      }
    }
  }

  /** @return whether the last informative update saw every endpoint unhealthy. */
  public boolean isDown() {
    return state.get().down();
  }

  /** @return how long the last finished outage lasted, in nanoseconds; 0 if none finished yet. */
  public long lastOutageNanos() {
    return state.get().lastOutageNanos();
  }

  /** @return how long the current outage has lasted, in nanoseconds; 0 when not down. */
  public long currentOutageNanos() {
    State s = state.get();
    return s.down() ? ticker.nanos() - s.sinceNanos() : 0L;
  }
}
