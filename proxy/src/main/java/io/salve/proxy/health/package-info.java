/**
 * The pure decisions behind salve's self-healing: whether an endpoint is healthy, when to probe it
 * next, when to balance over unhealthy endpoints (panic mode), which leased endpoints are still
 * registered, when to fire a recovery action and whether the sidecar is ready.
 *
 * <p>Everything here is a plain object: no Netty, no I/O, no sleeping and no wall clock. Time is
 * read from an injected {@link io.salve.proxy.util.Ticker} (or passed in as monotonic nanoseconds)
 * and randomness comes from an injected {@link java.util.random.RandomGenerator}, so tests drive
 * every decision exactly. The objects are read concurrently from several event loops, so their read
 * paths never block. Observers (metrics, logging, endpoint pools) attach as {@code *Listener}s; no
 * metric names live here.
 */
package io.salve.proxy.health;
