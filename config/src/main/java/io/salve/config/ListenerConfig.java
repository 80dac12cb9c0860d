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
 * @param protocols the protocols served on the port and the HTTP/2 limits
 */
public record ListenerConfig(
    String name, HostPort address, List<RouteConfig> routes, ListenerLimits limits, List<Cidr> trustedProxies,
    ListenerTlsConfig tls, ListenerProtocols protocols) {
  public ListenerConfig {
    routes = List.copyOf(routes);
    trustedProxies = List.copyOf(trustedProxies);
  }

  /** A listener with the default protocols: both on plaintext, HTTP/1.1 with TLS. */
  public ListenerConfig(
      String name, HostPort address, List<RouteConfig> routes, ListenerLimits limits, List<Cidr> trustedProxies,
      ListenerTlsConfig tls) {
    this(name, address, routes, limits, trustedProxies, tls,
        tls == null ? ListenerProtocols.DEFAULT : ListenerProtocols.HTTP1_ONLY);
  }

  /** A plaintext listener. */
  public ListenerConfig(
      String name, HostPort address, List<RouteConfig> routes, ListenerLimits limits, List<Cidr> trustedProxies) {
    this(name, address, routes, limits, trustedProxies, null);
  }
}
