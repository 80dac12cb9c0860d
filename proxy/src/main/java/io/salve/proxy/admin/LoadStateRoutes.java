package io.salve.proxy.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.salve.config.Values;
import io.salve.proxy.shed.LoadShedding;
import io.salve.proxy.shed.LoadState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /admin/load-state}: operators force a load state for a drill or an incident, and hand it back
 * to the signals.
 *
 * <ul>
 *   <li>{@code GET}: the {@code loadShedding} section of {@code /admin/state}.
 *   <li>{@code PUT} with {@code {"state": "healthy|degraded|failing", "for": "60s"}}: forces the
 *       state for {@code for} ({@code ms}, {@code s}, {@code m} or {@code h}; default 5m, at most
 *       24h), replacing an earlier force. 400 on
 *       anything else.
 *   <li>{@code DELETE}: ends a force; the automatic state applies at once.
 * </ul>
 *
 * Each answers 200 with the section after the change.
 */
public final class LoadStateRoutes {
  static final String PATH = "/admin/load-state";
  static final String DEFAULT_FOR_TEXT = "5m";
  static final String MAX_FOR_TEXT = "24h";
  static final Duration DEFAULT_FOR = Duration.ofMinutes(5);
  static final Duration MAX_FOR = Duration.ofHours(24);

  private static final Logger LOG = LoggerFactory.getLogger(LoadStateRoutes.class);
  /** Jackson loads on the first PUT, not at startup. */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}
  }

  private static final Set<String> FIELDS = Set.of("state", "for");

  private LoadStateRoutes() {}

  /** @return the GET, PUT and DELETE routes of {@code /admin/load-state} */
  public static List<AdminRoute> of(LoadShedding shedding) {
    return List.of(
        route(HttpMethod.GET, req -> AdminResponse.json(200, shedding.describe())),
        route(HttpMethod.PUT, req -> force(shedding, req)),
        route(
            HttpMethod.DELETE,
            req -> {
              boolean wasForced = shedding.stateMachine().forced();
              shedding.stateMachine().clearForce();
              if (wasForced) {
                LOG.info("admin: forced load state cleared");
              }
              return AdminResponse.json(200, shedding.describe());
            }));
  }

  private static AdminRoute route(HttpMethod method, Function<FullHttpRequest, AdminResponse> handler) {
    return new AdminRoute() {
      @Override
      public boolean matches(HttpMethod m, String path) {
        return m.equals(method) && path.equals(PATH);
      }

      @Override
      public AdminResponse handle(FullHttpRequest request, String path) {
        return handler.apply(request);
      }
    };
  }

  static AdminResponse force(LoadShedding shedding, FullHttpRequest request) {
    JsonNode body;
    try {
      body = Json.MAPPER.readTree(request.content().toString(StandardCharsets.UTF_8));
    } catch (IOException e) { // JsonProcessingException; named by its supertype so Jackson stays unloaded
      return badRequest("the body is not JSON");
    }
    if (body == null || !body.isObject()) {
      return badRequest("expected a JSON object like {\"state\": \"degraded\", \"for\": \"60s\"}");
    }
    for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        return badRequest("unknown field \"" + name + "\"; expected \"state\" and optionally \"for\"");
      }
    }
    LoadState state = state(body.get("state"));
    if (state == null) {
      return badRequest("\"state\" must be one of healthy, degraded, failing");
    }
    JsonNode forNode = body.get("for");
    Duration forHowLong = forNode == null || forNode.isNull() ? DEFAULT_FOR : duration(forNode);
    if (forHowLong == null) {
      return badRequest(
          "\"for\" must be a positive duration such as 250ms, 60s, 5m or 1h, at most " + MAX_FOR_TEXT);
    }
    shedding.stateMachine().force(state, forHowLong);
    LOG.info("admin: load state forced to {} for {}", state.key(), LoadShedding.millis(forHowLong.toNanos()));
    return AdminResponse.json(200, shedding.describe());
  }

  /** @return the state named by {@code node}, or null */
  static LoadState state(JsonNode node) {
    if (node == null || !node.isTextual()) {
      return null;
    }
    String key = node.asText().trim().toLowerCase(Locale.ROOT);
    for (LoadState s : LoadState.values()) {
      if (s.key().equals(key)) {
        return s;
      }
    }
    return null;
  }

  /** @return a duration in (0, {@link #MAX_FOR}], or null when {@code node} is not one */
  static Duration duration(JsonNode node) {
    Duration d = node.isTextual() ? Values.duration(node.asText()) : null;
    return d == null || d.isZero() || d.compareTo(MAX_FOR) > 0 ? null : d;
  }


  private static AdminResponse badRequest(String message) {
    return AdminResponse.error(400, "bad_request", message);
  }
}
