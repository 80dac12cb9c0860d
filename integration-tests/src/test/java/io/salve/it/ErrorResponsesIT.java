package io.salve.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import io.salve.it.support.Http;
import io.salve.it.support.SalveProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The answers salve makes itself when a request cannot be forwarded or the upstream fails it: JSON
 * {@code {"error": reason, "message": ...}} with {@code x-salve-error: reason} and the right status.
 * Retries are off ({@code maxAttempts: 1}) so each case shows one attempt's failure.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ErrorResponsesIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  private WireMockServer upstream;
  private SalveProcess salve;
  private HttpClient http;

  @BeforeAll
  void start() throws Exception {
    upstream = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    upstream.start();
    String yaml =
        """
        admin: { address: 127.0.0.1:0 }
        listeners:
          - name: api-only
            address: 127.0.0.1:0
            routes:
              - match: { pathPrefix: /api }
                upstream: backend
          - name: egress
            address: 127.0.0.1:0
            routes:
              - match: { pathPrefix: /dead }
                upstream: dead
              - match: { pathPrefix: /slow }
                timeout: 500ms
                upstream: backend
              - match: { pathPrefix: / }
                upstream: backend
        upstreams:
          backend:
            endpoints: [127.0.0.1:%d]
            retry: { maxAttempts: 1 }
          dead:
            endpoints: [127.0.0.1:%d]
            connectTimeout: 500ms
            retry: { maxAttempts: 1 }
        """
            .formatted(upstream.port(), closedPort());
    salve = SalveProcess.start(yaml);
    http = Http.newClient();
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (salve != null) {
        salve.close(); // SIGTERM; asserts exit code 0 and no leak
      }
    } finally {
      if (upstream != null) {
        upstream.stop();
      }
    }
  }

  @BeforeEach
  void reset() {
    upstream.resetAll();
    upstream.stubFor(get(urlEqualTo("/ok")).willReturn(aResponse().withStatus(200).withBody("fine")));
  }

  /** @return a port on 127.0.0.1 that was free a moment ago and has nothing listening now. */
  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private HttpResponse<String> send(String listener, String path) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + salve.port(listener) + path);
    return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Asserts the shape every salve-made error shares. */
  private static void assertSalveError(HttpResponse<String> r, int status, String reason) throws Exception {
    assertThat(r.statusCode()).as("status of %s", r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("x-salve-error")).hasValue(reason);
    assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
    assertThat(r.headers().firstValue("x-salve-upstream")).as("not an upstream's answer").isEmpty();
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("error").asText()).isEqualTo(reason);
    assertThat(body.path("message").isTextual()).isTrue();
    assertThat(body.path("message").asText()).isNotBlank();
  }

  /** Salve keeps serving after a failure: the upstream's pool is not poisoned. */
  private void assertStillServing() throws Exception {
    HttpResponse<String> ok = send("egress", "/ok");
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("fine");
  }

  @Test
  void unmatchedPathIs404NoRouteAndNeverReachesTheUpstream() throws Exception {
    upstream.stubFor(get(urlPathMatching("/.*")).atPriority(10).willReturn(aResponse().withStatus(200).withBody("up")));

    HttpResponse<String> routed = send("api-only", "/api/ping");
    HttpResponse<String> unrouted = send("api-only", "/other");

    assertThat(routed.statusCode()).as("the listener does route /api").isEqualTo(200);
    assertThat(routed.headers().firstValue("x-salve-upstream")).hasValue("backend");
    assertSalveError(unrouted, 404, "no_route");
    upstream.verify(1, getRequestedFor(urlEqualTo("/api/ping")));
    upstream.verify(0, getRequestedFor(urlEqualTo("/other")));
  }

  @Test
  void closedUpstreamPortIs502ConnectFailure() throws Exception {
    HttpResponse<String> r = send("egress", "/dead/thing");

    assertSalveError(r, 502, "upstream_connect_failure");
    assertStillServing();
  }

  @Test
  void upstreamSlowerThanTheRouteTimeoutIs504() throws Exception {
    upstream.stubFor(get(urlEqualTo("/slow/report")).willReturn(aResponse().withStatus(200).withFixedDelay(3000).withBody("late")));

    long start = System.nanoTime();
    HttpResponse<String> r = send("egress", "/slow/report");
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertSalveError(r, 504, "upstream_timeout");
    assertThat(took).as("answered at the 500ms route timeout, not after the upstream's 3s").isBetween(
        Duration.ofMillis(450), Duration.ofMillis(2500));
    upstream.verify(1, getRequestedFor(urlEqualTo("/slow/report")));
    assertStillServing();
  }

  @ParameterizedTest
  @EnumSource(value = Fault.class, names = {"CONNECTION_RESET_BY_PEER", "EMPTY_RESPONSE"})
  void upstreamDroppingTheConnectionIs502Reset(Fault fault) throws Exception {
    upstream.stubFor(get(urlEqualTo("/broken")).willReturn(aResponse().withFault(fault)));

    HttpResponse<String> r = send("egress", "/broken");

    assertSalveError(r, 502, "upstream_reset");
    upstream.verify(1, getRequestedFor(urlEqualTo("/broken")));
    assertStillServing();
  }

  @Test
  void aRejectedRequestIsLoggedWithItsReason() throws Exception {
    // The access log names the error of a request salve answered itself.
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + salve.port("api-only") + "/nope"))
                .header("X-Request-Id", "err-it-no-route")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertSalveError(r, 404, "no_route");
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              List<String> lines = salve.stdout().lines().filter(l -> l.contains("\"err-it-no-route\"")).toList();
              assertThat(lines).hasSize(1);
              JsonNode line = JSON.readTree(lines.get(0));
              assertThat(line.path("status").asInt()).isEqualTo(404);
              assertThat(line.path("error").asText()).isEqualTo("no_route");
              assertThat(line.path("listener").asText()).isEqualTo("api-only");
            });
  }
}
