package io.salve.proxy.admin;

import static io.salve.proxy.shed.ShedFixtures.LISTENER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.salve.proxy.shed.LoadShedding;
import io.salve.proxy.shed.LoadState;
import io.salve.proxy.shed.ShedFixtures;
import io.salve.proxy.util.FakeTicker;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LoadStateRoutesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final FakeTicker ticker = new FakeTicker();
  private final LoadShedding shedding = ShedFixtures.calmShedding(ticker);
  private final List<AdminRoute> routes = LoadStateRoutes.of(shedding);

  private AdminResponse call(HttpMethod method, String body) {
    FullHttpRequest req =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1,
            method,
            "/admin/load-state",
            Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    try {
      for (AdminRoute r : routes) {
        if (r.matches(method, "/admin/load-state")) {
          return r.handle(req, "/admin/load-state");
        }
      }
      throw new AssertionError("no route for " + method);
    } finally {
      req.release();
    }
  }

  private static JsonNode json(AdminResponse r) throws Exception {
    return JSON.readTree(r.body());
  }

  @Test
  void putForcesTheStateForTheGivenTime() throws Exception {
    AdminResponse r = call(HttpMethod.PUT, "{\"state\": \"degraded\", \"for\": \"60s\"}");

    assertThat(r.status()).isEqualTo(200);
    assertThat(json(r).get("state").asText()).isEqualTo("degraded");
    assertThat(json(r).get("forced").asBoolean()).isTrue();
    assertThat(json(r).get("forcedRemainingMillis").asLong()).isEqualTo(60_000);
    assertThat(shedding.stateMachine().state()).isEqualTo(LoadState.DEGRADED);
    assertThat(shedding.tryAdmit(LISTENER, ShedFixtures.SHEDDABLE)).isNull();

    ticker.advance(java.time.Duration.ofSeconds(60));
    assertThat(shedding.stateMachine().state()).isEqualTo(LoadState.HEALTHY);
  }

  @Test
  void putWithoutForLastsFiveMinutes() throws Exception {
    AdminResponse r = call(HttpMethod.PUT, "{\"state\": \"failing\"}");

    assertThat(r.status()).isEqualTo(200);
    assertThat(json(r).get("forcedRemainingMillis").asLong()).isEqualTo(300_000);
    assertThat(shedding.stateMachine().state()).isEqualTo(LoadState.FAILING);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"state\": \"panic\"}",
        "{\"state\": 2}",
        "{\"for\": \"60s\"}",
        "{\"state\": \"degraded\", \"for\": \"60\"}",
        "{\"state\": \"degraded\", \"for\": \"0s\"}",
        "{\"state\": \"degraded\", \"for\": \"-5s\"}",
        "{\"state\": \"degraded\", \"for\": \"25h\"}",
        "{\"state\": \"degraded\", \"for\": 60}",
        "{\"state\": \"degraded\", \"duration\": \"60s\"}",
        "[\"degraded\"]",
        "degraded",
        "",
      })
  void putRejectsAnythingElseWith400AndChangesNothing(String body) throws Exception {
    AdminResponse r = call(HttpMethod.PUT, body);

    assertThat(r.status()).isEqualTo(400);
    assertThat(json(r).get("error").asText()).isEqualTo("bad_request");
    assertThat(shedding.stateMachine().forced()).isFalse();
  }

  @Test
  void deleteReturnsToTheAutomaticState() throws Exception {
    call(HttpMethod.PUT, "{\"state\": \"failing\", \"for\": \"1h\"}");

    AdminResponse r = call(HttpMethod.DELETE, "");

    assertThat(r.status()).isEqualTo(200);
    assertThat(json(r).get("state").asText()).isEqualTo("healthy");
    assertThat(json(r).get("forced").asBoolean()).isFalse();
    assertThat(shedding.tryAdmit(LISTENER, ShedFixtures.SHEDDABLE)).isNotNull();
  }

  @Test
  void getDescribesTheSection() throws Exception {
    AdminResponse r = call(HttpMethod.GET, "");

    assertThat(r.status()).isEqualTo(200);
    assertThat(json(r).get("state").asText()).isEqualTo("healthy");
    assertThat(json(r).get("concurrencyLimits").get(LISTENER).get("enabled").asBoolean()).isFalse();
  }

  @Test
  void routesServeOnlyTheirPath() {
    assertThat(routes).noneMatch(r -> r.matches(HttpMethod.PUT, "/admin/state"));
    assertThat(routes).noneMatch(r -> r.matches(HttpMethod.POST, "/admin/load-state"));
  }
}
