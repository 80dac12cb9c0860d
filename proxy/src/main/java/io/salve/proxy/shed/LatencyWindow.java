package io.salve.proxy.shed;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Request latencies of the current interval, for the {@code latencyP99} signal.
 *
 * <p>{@link #record} is wait-free and may be called from any thread. {@link #p99NanosAndReset} is
 * meant for the single interval scheduler; concurrent calls are serialized.
 *
 * <p>Values are tracked from 1µs to 1h with two significant digits, so a reported p99 is within 1%
 * of the true one; shorter values count as below 1µs and longer ones are clamped to 1h.
 */
public final class LatencyWindow {
  /** The largest latency tracked; longer ones are recorded as this. */
  public static final long MAX_TRACKABLE_NANOS = TimeUnit.HOURS.toNanos(1);

  private static final long LOWEST_DISCERNIBLE_NANOS = TimeUnit.MICROSECONDS.toNanos(1);
  private static final int SIGNIFICANT_DIGITS = 2;

  private final Recorder recorder =
      new Recorder(LOWEST_DISCERNIBLE_NANOS, MAX_TRACKABLE_NANOS, SIGNIFICANT_DIGITS);
  // Reused between intervals so the scheduler does not allocate a histogram each time.
  private Histogram interval;

  private LatencyWindow() {}

  /** @return an empty window */
  public static LatencyWindow create() {
    return new LatencyWindow();
  }

  /** @param nanos one request's latency; negative counts as 0, over 1h as 1h */
  public void record(long nanos) {
    recorder.recordValue(Math.min(Math.max(nanos, 0), MAX_TRACKABLE_NANOS));
  }

  /**
   * Ends the interval: returns its p99 and starts a new, empty one.
   *
   * @return the p99 in nanos of the values recorded since the last call, 0 when none were
   */
  public synchronized long p99NanosAndReset() {
    interval = recorder.getIntervalHistogram(interval);
    if (interval.getTotalCount() == 0) {
      return 0;
    }
    return interval.getValueAtPercentile(99.0);
  }
}
