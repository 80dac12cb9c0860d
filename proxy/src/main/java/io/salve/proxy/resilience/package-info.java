/**
 * Resilience decisions of the forwarding path: circuit breakers, retry policy, backoff, retry
 * budgets, {@code Retry-After}, outlier ejection and the per-upstream bulkhead.
 *
 * <p>Everything here is a plain, non-blocking, thread-safe decision object: no Netty, no I/O, no
 * sleeping and no wall clock. Time comes from an injected {@link io.salve.proxy.util.Ticker} and
 * randomness from an injected {@link java.util.random.RandomGenerator}, so tests drive them
 * exactly. They are shared by all event loops, so state changes are lock-free (atomics and
 * compare-and-set over immutable snapshots). Observers attach as {@code *Listener}s; metric names
 * live with the listeners in metrics/, never here.
 *
 * <p>May import: config/, util/. No Netty (enforced), no other salve package.
 */
package io.salve.proxy.resilience;
