package io.salve.proxy.upstream;

import io.salve.config.HealthCheckConfig;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The health of one endpoint under active probing.
 *
 * <p>An endpoint starts healthy. {@code unhealthyThreshold} consecutive failed probes mark it
 * unhealthy; {@code healthyThreshold} consecutive passed probes mark it healthy again. A result of
 * the other kind resets the current streak.
 *
 * <p>Thread-safety: meant to be updated by one prober at a time and read from many threads. Reads
 * never block; each accessor reflects one complete probe result (never a half-applied one), though
 * two successive accessor calls may straddle a concurrent update.
 */
public final class EndpointHealth {

  /** One immutable snapshot, so readers never see a streak from one probe and a flag from another. */
  private record State(
      boolean healthy,
      int consecutiveFailures,
      int consecutiveSuccesses,
      long lastProbeNanos,
      Boolean lastResult) {}

  private static final State INITIAL = new State(true, 0, 0, 0L, null);

  private final int unhealthyThreshold;
  private final int healthyThreshold;
  private final AtomicReference<State> state = new AtomicReference<>(INITIAL);

  /**
   * @param unhealthyThreshold consecutive failures that mark the endpoint unhealthy; at least 1
   * @param healthyThreshold consecutive successes that mark it healthy again; at least 1
   * @throws IllegalArgumentException if a threshold is below 1
   */
  public EndpointHealth(int unhealthyThreshold, int healthyThreshold) {
    if (unhealthyThreshold < 1) {
      throw new IllegalArgumentException("unhealthyThreshold must be >= 1: " + unhealthyThreshold);
    }
    if (healthyThreshold < 1) {
      throw new IllegalArgumentException("healthyThreshold must be >= 1: " + healthyThreshold);
    }
    this.unhealthyThreshold = unhealthyThreshold;
    this.healthyThreshold = healthyThreshold;
  }

  /** @return a fresh, healthy endpoint state using the thresholds of {@code config}. */
  public static EndpointHealth from(HealthCheckConfig config) {
    return new EndpointHealth(config.unhealthyThreshold(), config.healthyThreshold());
  }

  /**
   * Records one probe result.
   *
   * @param passed whether the probe passed
   * @param nowNanos when the probe completed, from the prober's {@link io.salve.proxy.util.Ticker}
   * @return true when this result flipped the healthy flag (either way)
   */
  public boolean recordProbe(boolean passed, long nowNanos) {
    // A CAS loop rather than a plain set: costs nothing with a single prober and stays correct if
    // two probes of the same endpoint ever overlap (e.g. a slow probe outliving its interval).
    while (true) {
      State before = state.get();
      State after = next(before, passed, nowNanos);
      if (state.compareAndSet(before, after)) {
        return before.healthy() != after.healthy();
      }
    }
  }

  private State next(State s, boolean passed, long nowNanos) {
    if (passed) {
      int successes = saturatingIncrement(s.consecutiveSuccesses());
      boolean healthy = s.healthy() || successes >= healthyThreshold;
      return new State(healthy, 0, successes, nowNanos, Boolean.TRUE);
    }
    int failures = saturatingIncrement(s.consecutiveFailures());
    boolean healthy = s.healthy() && failures < unhealthyThreshold;
    return new State(healthy, failures, 0, nowNanos, Boolean.FALSE);
  }

  private static int saturatingIncrement(int n) {
    return n == Integer.MAX_VALUE ? n : n + 1;
  }

  /** @return whether the endpoint is healthy; true before any probe result. */
  public boolean healthy() {
    return state.get().healthy();
  }

  /** @return failed probes since the last pass (0 if the last probe passed or none ran). */
  public int consecutiveFailures() {
    return state.get().consecutiveFailures();
  }

  /** @return passed probes since the last failure (0 if the last probe failed or none ran). */
  public int consecutiveSuccesses() {
    return state.get().consecutiveSuccesses();
  }

  /**
   * @return the {@code nowNanos} of the last recorded probe, or 0 if none. Monotonic nanos may
   *     legitimately be 0, so use {@link #lastResult()} {@code == null} to test for "no probe yet".
   */
  public long lastProbeNanos() {
    return state.get().lastProbeNanos();
  }

  /** @return the last probe's result, or null if no probe has been recorded. */
  public Boolean lastResult() {
    return state.get().lastResult();
  }

  /** @return consecutive failures that mark the endpoint unhealthy. */
  public int unhealthyThreshold() {
    return unhealthyThreshold;
  }

  /** @return consecutive successes that mark the endpoint healthy again. */
  public int healthyThreshold() {
    return healthyThreshold;
  }

  @Override
  public String toString() {
    State s = state.get();
    return "EndpointHealth{healthy="
        + s.healthy()
        + ", failures="
        + s.consecutiveFailures()
        + ", successes="
        + s.consecutiveSuccesses()
        + ", lastResult="
        + s.lastResult()
        + '}';
  }
}
