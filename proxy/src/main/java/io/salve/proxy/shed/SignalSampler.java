package io.salve.proxy.shed;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * Takes one interval's {@link LoadSignals} from their sources. Each call ends the interval of the
 * windowed signals (latency, error rate, event-loop delay), so it belongs to the single {@link
 * LoadMonitor} thread.
 */
final class SignalSampler implements Supplier<LoadSignals> {
  private final RequestSignals requests;
  private final ProcessSignals process;
  private final EventLoopDelayProbe loopDelay;

  /**
   * @param process CPU and heap, or null to report them unknown
   * @param loopDelay the event-loop probe, or null to report the delay unknown
   */
  SignalSampler(RequestSignals requests, ProcessSignals process, EventLoopDelayProbe loopDelay) {
    this.requests = Objects.requireNonNull(requests, "requests");
    this.process = process;
    this.loopDelay = loopDelay;
  }

  @Override
  public LoadSignals get() {
    return new LoadSignals(
        requests.inflight(),
        requests.latencyP99NanosAndReset(),
        process == null ? Double.NaN : process.cpu(),
        process == null ? Double.NaN : process.heap(),
        loopDelay == null || !loopDelay.running() ? -1 : loopDelay.maxDelayNanosAndReset(),
        requests.errorRateAndReset());
  }
}
