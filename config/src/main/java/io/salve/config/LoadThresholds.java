package io.salve.config;

import java.time.Duration;

/**
 * Signal thresholds; a null component is not checked.
 *
 * @param inflight in-flight requests
 * @param latencyP99 request latency p99 over the last interval
 * @param cpu process CPU share in [0,1]
 * @param heap heap used after last GC over max, in [0,1]
 * @param eventLoopDelay scheduled-task lag on event loops
 * @param errorRate share of 5xx and local errors in [0,1]
 */
public record LoadThresholds(
    Integer inflight, Duration latencyP99, Double cpu, Double heap, Duration eventLoopDelay, Double errorRate) {

  /** @return thresholds with nothing set. */
  public static LoadThresholds none() {
    return new LoadThresholds(null, null, null, null, null, null);
  }
}
