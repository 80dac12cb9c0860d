package io.salve.proxy.admin;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;

/**
 * One admin endpoint. Handlers run on the admin server's own event loop, never on a proxy loop, so a
 * slow scrape cannot delay traffic; they still must not block for long.
 */
public interface AdminRoute {
  /** @return whether this route serves {@code method path}. */
  boolean matches(HttpMethod method, String path);

  /** @return the answer; the request body is available and released by the caller. */
  AdminResponse handle(FullHttpRequest request, String path);

  /** @return a route for exactly one method and path. */
  static AdminRoute exact(HttpMethod method, String path, java.util.function.Supplier<AdminResponse> handler) {
    return new AdminRoute() {
      @Override
      public boolean matches(HttpMethod m, String p) {
        return m.equals(method) && p.equals(path);
      }

      @Override
      public AdminResponse handle(FullHttpRequest request, String p) {
        return handler.get();
      }
    };
  }
}
