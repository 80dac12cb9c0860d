/**
 * salve's self-healing: when to probe an endpoint next and what a probe says, which leased endpoints
 * are still registered, when to fire a recovery action and whether the sidecar is ready. The health
 * state an endpoint carries ({@link io.salve.proxy.upstream.EndpointHealth}, {@link
 * io.salve.proxy.upstream.PanicMode}) lives in upstream/, which reads it to choose endpoints; this
 * package writes it.
 *
 * <p>The decisions ({@link io.salve.proxy.health.ProbeSchedule}, {@link
 * io.salve.proxy.health.LeaseRegistry}, {@link io.salve.proxy.health.RecoveryPolicy}, {@link
 * io.salve.proxy.health.ReadinessGate}, {@link io.salve.proxy.health.OutageTracker}, {@link
 * io.salve.proxy.health.LeaseRequest}, {@link io.salve.proxy.health.EndpointDescription}) are plain
 * objects: no Netty, no I/O, no sleeping and no wall clock. Time is read from an injected {@link
 * io.salve.proxy.util.Ticker} (or passed in as monotonic nanoseconds) and randomness comes from an
 * injected {@link java.util.random.RandomGenerator}, so tests drive every decision exactly.
 *
 * <p>The runtime only carries them out: {@link io.salve.proxy.health.HealthChecker} runs probe loops
 * scheduled on the event loops with the probers of {@code health.probe}, {@link
 * io.salve.proxy.health.LeaseService} keeps the lease registries and sweeps expiries (admin/'s
 * {@code LeaseRoutes} serve them), {@link io.salve.proxy.health.RecoveryActions} calls the recovery
 * webhook off the event loops, and a {@link io.salve.proxy.health.HealthListener} (metrics/'s {@code
 * HealthMetrics}) hears it all: no meter is named here. {@link io.salve.proxy.health.HealthSubsystem}
 * wires them together for {@code Salve}.
 *
 * <p>May import: config/, transport/ (probe connections' transport), upstream/, util/; Netty event
 * loops as schedulers. Never admin/, metrics/ or Netty's HTTP types (only {@code health.probe} speaks
 * HTTP, to endpoints).
 */
package io.salve.proxy.health;
