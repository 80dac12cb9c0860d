/**
 * Load shedding decisions: which requests the proxy still admits when it is under pressure.
 *
 * <p>Two independent mechanisms, both plain objects without I/O so they can be tested with a
 * {@link io.salve.proxy.util.FakeTicker}:
 *
 * <ul>
 *   <li>{@link io.salve.proxy.shed.LoadStateMachine} turns process-wide {@link
 *       io.salve.proxy.shed.LoadSignals} (inflight, latency p99, CPU, heap, event-loop delay, error
 *       rate), sampled once per interval, into a {@link io.salve.proxy.shed.LoadState} with
 *       hysteresis; the state decides by {@link io.salve.config.Criticality} which routes are
 *       served.
 *   <li>{@link io.salve.proxy.shed.AdaptiveLimiter} keeps a per-listener concurrency limit learned
 *       from request round-trip times and admits requests in criticality order.
 * </ul>
 *
 * <p>The signal sources ({@link io.salve.proxy.shed.InflightCounter}, {@link
 * io.salve.proxy.shed.LatencyWindow}, {@link io.salve.proxy.shed.ErrorRateWindow}, {@link
 * io.salve.proxy.shed.ProcessSignals}, {@link io.salve.proxy.shed.EventLoopDelayProbe}) are
 * written from every event loop and read once per interval. Everything on the request path is
 * lock-free. {@link io.salve.proxy.shed.LoadShedding} implements forward/'s {@code AdmissionControl}
 * and exposes the plain API admin/'s {@code /admin/load-state} uses (describe, force, clear); refused
 * requests reach metrics/ through {@link io.salve.proxy.shed.ShedObserver}.
 *
 * <p>May import: config/, forward/ (the admission seam), route/, util/. No Netty except an event
 * executor as a scheduler in {@code EventLoopDelayProbe} and {@code LoadShedding} (enforced, with
 * those two named exceptions); never admin/ or metrics/.
 */
package io.salve.proxy.shed;
