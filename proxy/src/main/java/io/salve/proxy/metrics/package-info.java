/**
 * Every meter and the access log. Each concern publishes through a listener interface it defines
 * ({@code ExchangeObserver}, {@code CircuitBreakerListener}, {@code OutlierListener}, {@code
 * HealthListener}, {@code ShedObserver}, {@code CoordinationListener}, {@code
 * ReloadCoordinator.Listener}); the Micrometer implementations live here, so every meter name
 * ({@code salve_*}) is chosen in this package and nowhere else (enforced: nothing outside metrics/
 * and the composition root imports Micrometer).
 *
 * <p>May import: Micrometer, config/, and the listener interfaces and read-only views of coord/,
 * forward/, health/, reload/, resilience/, route/, shed/, tls/ ({@code TlsEvents}), upstream/. Netty only for its MPSC queue
 * (the access log's hand-off to its writer thread). Nothing but the composition root imports it.
 */
package io.salve.proxy.metrics;
