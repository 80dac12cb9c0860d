package io.salve.proxy.admin;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One admin endpoint. Handlers run on the admin server's own event loop, never on a proxy loop, so a
 * slow scrape cannot delay traffic; they still must not block for long.
 */
public interface AdminRoute {
  /** @return whether this route serves {@code method path}. */
  boolean matches(HttpMethod method, String path);

  /** @return the answer; the request body is available and released by the caller. */
  AdminResponse handle(FullHttpRequest request, String path);

  /**
   * An answer that may come later (e.g. a long poll), without holding the admin event loop: the
   * handler reads what it needs from {@code request} before returning, because the request is
   * released as soon as this method returns. The answer may complete on any thread; the admin
   * server writes it on the connection's event loop. Defaults to {@link #handle}.
   */
  default CompletionStage<AdminResponse> handleAsync(FullHttpRequest request, String path) {
    return CompletableFuture.completedFuture(handle(request, path));
  }

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
