package io.salve.proxy.shed;

import java.util.concurrent.atomic.LongAdder;

/**
 * Outcomes of the current interval, for the {@code errorRate} signal.
 *
 * <p>{@link #record} is lock-free from any thread. The two counters are reset one after the other,
 * so an outcome recorded during {@link #rateAndReset} may be split across two intervals; the rate is
 * clamped to [0,1] and the skew is at most a few requests per interval.
 */
public final class ErrorRateWindow {
  private final LongAdder total = new LongAdder();
  private final LongAdder errors = new LongAdder();

  private ErrorRateWindow() {}

  /** @return an empty window */
  public static ErrorRateWindow create() {
    return new ErrorRateWindow();
  }

  /** @param error whether the request ended in a 5xx or a local error */
  public void record(boolean error) {
    total.increment();
    if (error) {
      errors.increment();
    }
  }

  /**
   * Ends the interval: returns its error rate and starts a new, empty one.
   *
   * @return errors over requests since the last call in [0,1], 0 when there were no requests
   */
  public double rateAndReset() {
    long e = errors.sumThenReset();
    long t = total.sumThenReset();
    if (t <= 0) {
      return 0.0;
    }
    return Math.min(1.0, (double) e / t);
  }
}
