/**
 * salve's self-healing: whether an endpoint is healthy, when to probe it next, when to balance over
 * unhealthy endpoints (panic mode), which leased endpoints are still registered, when to fire a
 * recovery action and whether the sidecar is ready.
 *
 * <p>The decisions ({@link io.salve.proxy.upstream.EndpointHealth}, {@link
 * io.salve.proxy.health.ProbeSchedule}, {@link io.salve.proxy.upstream.PanicMode}, {@link
 * io.salve.proxy.health.LeaseRegistry}, {@link io.salve.proxy.health.RecoveryPolicy}, {@link
 * io.salve.proxy.health.ReadinessGate}, {@link io.salve.proxy.health.OutageTracker}, {@link
 * io.salve.proxy.health.LeaseRequest}, {@link io.salve.proxy.health.EndpointDescription}) are plain
 * objects: no Netty, no I/O, no sleeping and no wall clock. Time is read from an injected {@link
 * io.salve.proxy.util.Ticker} (or passed in as monotonic nanoseconds) and randomness comes from an
 * injected {@link java.util.random.RandomGenerator}, so tests drive every decision exactly. Their
 * read paths never block.
 *
 * <p>The runtime only carries them out: {@link io.salve.proxy.health.HealthChecker} runs probe loops
 * scheduled on the event loops with {@link io.salve.proxy.health.probe.HttpProber} / {@link
 * io.salve.proxy.health.probe.TcpProber}, {@link io.salve.proxy.health.LeaseService} serves the lease
 * admin routes and sweeps expiries, {@link io.salve.proxy.health.RecoveryActions} calls the
 * recovery webhook off the event loops, and metrics/HealthMetrics attaches as
 * a listener (no metric names live anywhere else here). {@link
 * io.salve.proxy.health.HealthSubsystem} wires them together for {@code Salve}.
 */
package io.salve.proxy.health;

import io.salve.proxy.health.probe.HttpProber;
import io.salve.proxy.health.probe.TcpProber;
import io.salve.proxy.upstream.EndpointHealth;
import io.salve.proxy.upstream.PanicMode;
