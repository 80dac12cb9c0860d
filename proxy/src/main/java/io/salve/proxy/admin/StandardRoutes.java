package io.salve.proxy.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.HttpMethod;
import io.salve.config.SalveConfig;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/** The admin endpoints every salve has: liveness, readiness, metrics, config and state. */
public final class StandardRoutes {
  private static final Pattern USERINFO = Pattern.compile("(?<=://)[^/@\\s]+@");

  private StandardRoutes() {}

  /**
   * @param notReady the reason the process is not ready, or empty when it is
   * @param state the runtime state document
   */
  public static List<AdminRoute> of(
      SalveConfig config,
      PrometheusMeterRegistry registry,
      Supplier<Optional<String>> notReady,
      Supplier<Map<String, Object>> state) {
    JsonNode redacted = redact(AdminResponse.JSON.valueToTree(config));
    List<AdminRoute> routes = new ArrayList<>();
    routes.add(AdminRoute.exact(HttpMethod.GET, "/live", () -> AdminResponse.json(200, Map.of("status", "live"))));
    routes.add(
        AdminRoute.exact(
            HttpMethod.GET,
            "/ready",
            () ->
                notReady
                    .get()
                    .map(reason -> AdminResponse.json(503, Map.of("status", "not_ready", "reason", reason)))
                    .orElseGet(() -> AdminResponse.json(200, Map.of("status", "ready")))));
    routes.add(
        AdminRoute.exact(
            HttpMethod.GET,
            "/metrics",
            () -> AdminResponse.text(200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape())));
    routes.add(AdminRoute.exact(HttpMethod.GET, "/admin/config", () -> AdminResponse.json(200, redacted)));
    routes.add(AdminRoute.exact(HttpMethod.GET, "/admin/state", () -> AdminResponse.json(200, state.get())));
    return routes;
  }

  /** Masks credentials in URLs and the values of secret-looking keys. */
  static JsonNode redact(JsonNode node) {
    if (node.isObject()) {
      ObjectNode obj = (ObjectNode) node;
      Iterator<Map.Entry<String, JsonNode>> it = obj.fields();
      List<String> secret = new ArrayList<>();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        String k = e.getKey().toLowerCase(Locale.ROOT);
        if (k.contains("password") || k.contains("secret") || k.contains("token")) {
          secret.add(e.getKey());
        } else {
          obj.set(e.getKey(), redact(e.getValue()));
        }
      }
      secret.forEach(k -> obj.put(k, "***"));
      return obj;
    }
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        ((com.fasterxml.jackson.databind.node.ArrayNode) node).set(i, redact(node.get(i)));
      }
      return node;
    }
    if (node.isTextual()) {
      return new TextNode(USERINFO.matcher(node.asText()).replaceAll("***@"));
    }
    return node;
  }
}
