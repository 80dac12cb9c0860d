package io.salve.proxy.shed;

/**
 * The signals fed by requests themselves: how many are in flight, how long they took and whether
 * they failed. Written from every event loop when a request is admitted and when it ends; read once
 * per interval by the {@link SignalSampler}.
 *
 * <p>Only admitted requests are counted. Shed requests never get here, so a burst of 503s produced
 * by shedding cannot raise the error rate and keep the shedding going.
 */
final class RequestSignals {
  private final InflightCounter inflight = InflightCounter.create();
  private final LatencyWindow latency = LatencyWindow.create();
  private final ErrorRateWindow errors = ErrorRateWindow.create();

  /** An admitted request started. */
  void started() {
    inflight.increment();
  }

  /**
   * An admitted request ended; call exactly once per {@link #started()}.
   *
   * @param status the status sent to the client (499 when it went away)
   * @param durationNanos how long the request took
   */
  void ended(int status, long durationNanos) {
    inflight.decrement();
    latency.record(durationNanos);
    errors.record(isError(status));
  }

  /** @return whether {@code status} counts towards the error rate: any 5xx, upstream or local */
  static boolean isError(int status) {
    return status >= 500;
  }

  /** @return admitted requests not yet ended */
  int inflight() {
    return inflight.get();
  }

  /** @return the p99 of the latencies recorded since the last call, 0 when none */
  long latencyP99NanosAndReset() {
    return latency.p99NanosAndReset();
  }

  /** @return the error share since the last call, 0 when no request ended */
  double errorRateAndReset() {
    return errors.rateAndReset();
  }
}
