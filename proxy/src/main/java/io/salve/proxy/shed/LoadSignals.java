package io.salve.proxy.shed;

/**
 * One interval's sample of the signals {@link LoadStateMachine} evaluates.
 *
 * <p>An unknown value is {@code -1} for the integral signals and {@code NaN} for the shares; an
 * unknown value never crosses a threshold, so a missing probe cannot shed traffic.
 *
 * @param inflight requests in flight, or -1
 * @param latencyP99Nanos request latency p99 over the interval, or -1
 * @param cpu process CPU share in [0,1], or NaN
 * @param heap heap used after last GC over max, in [0,1], or NaN
 * @param eventLoopDelayNanos worst scheduled-task lag on the event loops over the interval, or -1
 * @param errorRate share of 5xx and local errors over the interval in [0,1], or NaN
 */
public record LoadSignals(
    int inflight,
    long latencyP99Nanos,
    double cpu,
    double heap,
    long eventLoopDelayNanos,
    double errorRate) {

  private static final LoadSignals UNKNOWN =
      new LoadSignals(-1, -1, Double.NaN, Double.NaN, -1, Double.NaN);

  /** @return signals with every value unknown. */
  public static LoadSignals unknown() {
    return UNKNOWN;
  }
}
