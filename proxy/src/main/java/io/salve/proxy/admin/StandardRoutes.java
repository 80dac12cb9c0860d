package io.salve.proxy.admin;

import io.netty.handler.codec.http.HttpMethod;
import io.salve.proxy.reload.LoadedConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** The admin endpoints every salve has: liveness, readiness, metrics, config and state. */
public final class StandardRoutes {
  private StandardRoutes() {}

  /**
   * @param config the running configuration (it changes with each reload)
   * @param scrape the Prometheus exposition of every meter (metrics/ owns the registry)
   * @param notReady the reason the process is not ready, or empty when it is
   * @param state the runtime state document
   * @return the {@link #probes probe routes}, then {@code /admin/config} and {@code /admin/state}
   */
  public static List<AdminRoute> of(
      Supplier<LoadedConfig> config,
      Supplier<String> scrape,
      Supplier<Optional<String>> notReady,
      Supplier<Map<String, Object>> state) {
    Supplier<AdminResponse> configView =
        new Supplier<>() {
          private ConfigView view; // created on first use: linking it loads Jackson

          @Override
          public AdminResponse get() {
            if (view == null) {
              view = new ConfigView();
            }
            return view.render(config.get());
          }
        };
    List<AdminRoute> routes = new ArrayList<>(probes(scrape, notReady));
    routes.add(AdminRoute.exact(HttpMethod.GET, "/admin/config", configView));
    routes.add(AdminRoute.exact(HttpMethod.GET, "/admin/state", () -> AdminResponse.json(200, state.get())));
    return routes;
  }

  /**
   * The routes that are safe to expose beyond this host, as on the probe port: {@code GET /live},
   * {@code /ready} and {@code /metrics}. None changes salve or shows its configuration.
   *
   * @param scrape the Prometheus exposition of every meter (metrics/ owns the registry)
   * @param notReady the reason the process is not ready, or empty when it is
   */
  public static List<AdminRoute> probes(Supplier<String> scrape, Supplier<Optional<String>> notReady) {
    return List.of(
        AdminRoute.exact(HttpMethod.GET, "/live", () -> AdminResponse.jsonFields(200, "status", "live")),
        AdminRoute.exact(
            HttpMethod.GET,
            "/ready",
            () ->
                notReady
                    .get()
                    .map(reason -> AdminResponse.jsonFields(503, "status", "not_ready", "reason", reason))
                    .orElseGet(() -> AdminResponse.jsonFields(200, "status", "ready"))),
        AdminRoute.exact(
            HttpMethod.GET,
            "/metrics",
            () -> AdminResponse.text(200, "text/plain; version=0.0.4; charset=utf-8", scrape.get())));
  }
}
