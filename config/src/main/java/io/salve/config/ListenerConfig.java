package io.salve.config;

import java.util.List;

/**
 * One listening socket and its ordered routes.
 *
 * @param name unique listener name
 * @param address bind address
 * @param routes routes, matched in order; the first match wins
 * @param limits parsing limits and client-side timeouts
 * @param trustedProxies CIDRs whose X-Forwarded-For entries are trusted (default none)
 * @param tls TLS termination, or null for plaintext
 */
public record ListenerConfig(
    String name, HostPort address, List<RouteConfig> routes, ListenerLimits limits, List<Cidr> trustedProxies,
    ListenerTlsConfig tls) {
  public ListenerConfig {
    routes = List.copyOf(routes);
    trustedProxies = List.copyOf(trustedProxies);
  }

  /** A plaintext listener. */
  public ListenerConfig(
      String name, HostPort address, List<RouteConfig> routes, ListenerLimits limits, List<Cidr> trustedProxies) {
    this(name, address, routes, limits, trustedProxies, null);
  }
}
