package io.salve.proxy.route;

import io.salve.config.Criticality;
import io.salve.config.RouteConfig;
import io.salve.config.RouteMatch;
import io.salve.proxy.resilience.RetryPolicy;
import java.util.Locale;
import java.util.Map;

/** A configured route, compiled for matching. Immutable. */
public final class Route {
  private final String listener;
  private final RouteConfig config;
  private final String host;
  private final String pathPrefix;
  private final String[] methods;
  private final String[][] headers;
  private final RetryPolicy retryPolicy;
  private final String clientUri;
  private final String clientDns;

  public Route(String listener, RouteConfig config) {
    this.listener = listener;
    this.config = config;
    RouteMatch m = config.match();
    this.host = m.host() == null ? null : m.host().toLowerCase(Locale.ROOT);
    this.pathPrefix = m.pathPrefix();
    this.clientUri = m.clientUri();
    this.clientDns = m.clientDns();
    this.methods = m.methods().toArray(new String[0]);
    this.retryPolicy = config.retry() == null ? null : RetryPolicy.of(config.retry());
    this.headers = new String[m.headers().size()][];
    int i = 0;
    for (Map.Entry<String, String> e : m.headers().entrySet()) {
      headers[i++] = new String[] {e.getKey(), e.getValue()};
    }
  }

  /**
   * @param hostLower the request's host, lower-case, without port, or null when absent
   * @param path the normalized path
   * @return whether this route takes the request
   */
  boolean matches(String method, String hostLower, String path, RequestHeaders requestHeaders) {
    return matches(method, hostLower, path, requestHeaders, null);
  }

  /** @param client the names of the connection's verified client certificate, or null */
  boolean matches(String method, String hostLower, String path, RequestHeaders requestHeaders, ClientNames client) {
    if (clientUri != null && (client == null || !client.uris().contains(clientUri))) {
      return false;
    }
    if (clientDns != null && (client == null || !client.dnsNames().contains(clientDns))) {
      return false;
    }
    if (host != null && !host.equals(hostLower)) {
      return false;
    }
    if (!path.startsWith(pathPrefix)) {
      return false;
    }
    if (methods.length > 0 && !contains(methods, method)) {
      return false;
    }
    for (String[] h : headers) {
      if (!requestHeaders.contains(h[0], h[1])) {
        return false;
      }
    }
    return true;
  }

  private static boolean contains(String[] values, String v) {
    for (String s : values) {
      if (s.equals(v)) {
        return true;
      }
    }
    return false;
  }

  public String listener() {
    return listener;
  }

  public String name() {
    return config.name();
  }

  public String upstream() {
    return config.upstream();
  }

  public Criticality criticality() {
    return config.criticality();
  }

  /** @return the route's own retry policy, or null to use the upstream's. */
  public RetryPolicy retryPolicy() {
    return retryPolicy;
  }

  public RouteConfig config() {
    return config;
  }
}
