package io.salve.proxy.route;

import io.salve.config.ListenerConfig;
import io.salve.config.RouteConfig;
import java.util.ArrayList;
import java.util.List;

/** A listener's routes in configured order; the first match wins. Immutable and thread-safe. */
public final class Router {
  private final Route[] routes;

  public Router(ListenerConfig listener) {
    List<Route> list = new ArrayList<>();
    for (RouteConfig rc : listener.routes()) {
      list.add(new Route(listener.name(), rc));
    }
    this.routes = list.toArray(new Route[0]);
  }

  /**
   * @param method the request method
   * @param hostLower the request host, lower-case, without port, or null
   * @param normalizedPath from {@link PathNormalizer}
   * @param headers the request headers
   * @return the first matching route, or null
   */
  public Route route(String method, String hostLower, String normalizedPath, RequestHeaders headers) {
    return route(method, hostLower, normalizedPath, headers, null);
  }

  /**
   * As {@link #route(String, String, String, RequestHeaders)}, for a client that may have presented a
   * verified certificate.
   *
   * @param client the names of the connection's verified client certificate, or null
   */
  public Route route(
      String method, String hostLower, String normalizedPath, RequestHeaders headers, ClientNames client) {
    for (Route r : routes) {
      if (r.matches(method, hostLower, normalizedPath, headers, client)) {
        return r;
      }
    }
    return null;
  }

  /** @return the routes in order. */
  public List<Route> routes() {
    return List.of(routes);
  }
}
