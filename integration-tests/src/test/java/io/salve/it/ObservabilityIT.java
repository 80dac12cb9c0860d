package io.salve.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.salve.it.support.Http;
import io.salve.it.support.PrometheusText;
import io.salve.it.support.SalveProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What an operator sees: the Prometheus scrape (present meters, counts that move, a well-formed
 * text format), the admin endpoints, and the JSON access log on stdout.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObservabilityIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration ASYNC = Duration.ofSeconds(5);

  private WireMockServer upstream;
  private SalveProcess salve;
  private HttpClient http;
  private String endpoint;

  @BeforeAll
  void start() throws Exception {
    upstream = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    upstream.start();
    upstream.stubFor(any(urlPathMatching("/app/.*")).willReturn(aResponse().withStatus(200).withBody("app says hi")));
    endpoint = "127.0.0.1:" + upstream.port();
    String yaml =
        """
        admin: { address: 127.0.0.1:0 }
        listeners:
          - name: egress
            address: 127.0.0.1:0
            routes:
              - name: app
                match: { pathPrefix: /app }
                upstream: backend
        upstreams:
          backend:
            endpoints: [%s]
        """
            .formatted(endpoint);
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

  private HttpResponse<String> proxied(HttpRequest.Builder b) throws Exception {
    return http.send(b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest.Builder to(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + salve.port("egress") + path));
  }

  private HttpResponse<String> admin(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + salve.adminPort() + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private PrometheusText scrape() throws Exception {
    HttpResponse<String> r = admin("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("text/plain"));
    return PrometheusText.parse(r.body());
  }

  // ---- 9. metrics ----

  @Test
  void metricsArePresentWellFormedAndCount() throws Exception {
    Map<String, String> ok = Map.of("listener", "egress", "route", "app", "upstream", "backend", "code", "200");
    double before = scrape().sum("salve_requests_total", ok);

    for (int i = 0; i < 3; i++) {
      assertThat(proxied(to("/app/metrics/" + i)).statusCode()).isEqualTo(200);
    }

    await()
        .atMost(ASYNC)
        .untilAsserted(() -> assertThat(scrape().sum("salve_requests_total", ok) - before).isEqualTo(3.0));
    PrometheusText m = scrape();
    assertThat(m.problems()).as("problems in the scrape").isEmpty();
    assertThat(m.type("salve_request_duration_seconds")).isEqualTo("histogram");
    assertThat(m.samples("salve_request_duration_seconds_bucket"))
        .anySatisfy(s -> assertThat(s.labels()).containsEntry("listener", "egress").containsEntry("route", "app"));
    assertThat(m.sum("salve_request_duration_seconds_count", Map.of("route", "app"))).isGreaterThanOrEqualTo(3.0);
    assertThat(m.sum("salve_upstream_requests_total", Map.of("upstream", "backend", "endpoint", endpoint, "outcome", "2xx")))
        .isGreaterThanOrEqualTo(3.0);
    assertThat(m.samples("salve_inflight_requests")).anySatisfy(s -> assertThat(s.labels()).containsEntry("listener", "egress"));
    assertThat(m.samples("salve_upstream_connections"))
        .extracting(s -> s.labels().get("state"))
        .contains("active", "idle");
    assertThat(m.samples("jvm_memory_used_bytes")).isNotEmpty();
    assertThat(m.samples("process_cpu_usage")).isNotEmpty();
    // At rest nothing is in flight and no upstream connection is busy; the client's keep-alive
    // connection left one idle in the pool.
    await()
        .atMost(ASYNC)
        .untilAsserted(
            () -> {
              PrometheusText rest = scrape();
              assertThat(rest.sum("salve_inflight_requests", Map.of("listener", "egress"))).isZero();
              assertThat(rest.sum("salve_upstream_connections", Map.of("endpoint", endpoint, "state", "active"))).isZero();
              assertThat(rest.sum("salve_upstream_connections", Map.of("endpoint", endpoint, "state", "idle")))
                  .isGreaterThanOrEqualTo(1.0);
            });
  }

  @Test
  void theScrapeCheckRejectsMalformedText() {
    // The well-formedness check above is only worth something if it can fail.
    String broken =
        String.join(
            "\n",
            "# HELP a_total things",
            "# TYPE a_total counter",
            "a_total{x=\"1\"} 1",
            "b_total 2",
            "# TYPE h histogram",
            "# HELP h a histogram",
            "h_bucket{le=\"1\"} 5",
            "h_bucket{le=\"+Inf\"} 4",
            "h_count 4",
            "a_total{x=\"2\"} 1",
            "c{bad-label=\"1\"} 1",
            "");
    List<String> problems = PrometheusText.parse(broken).problems();
    assertThat(String.join("\n", problems))
        .contains("no # TYPE (before it) for the family of b_total")
        .contains("buckets are not cumulative")
        .contains("no _sum")
        .contains("samples of a_total are not in one group")
        .contains("malformed label 'bad-label=\"1\"'");
  }

  // ---- admin endpoints ----

  @Test
  void liveAndReadyAnswer200() throws Exception {
    HttpResponse<String> live = admin("/live");
    HttpResponse<String> ready = admin("/ready");

    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(live.body()).path("status").asText()).isEqualTo("live");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(ready.body()).path("status").asText()).isEqualTo("ready");
  }

  @Test
  void adminConfigShowsTheListenerAndItsRoute() throws Exception {
    HttpResponse<String> r = admin("/admin/config");

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode config = JSON.readTree(r.body());
    List<JsonNode> listeners = new ArrayList<>();
    config.path("listeners").forEach(listeners::add);
    assertThat(listeners).hasSize(1);
    JsonNode egress = listeners.get(0);
    assertThat(egress.path("name").asText()).isEqualTo("egress");
    assertThat(egress.path("address").asText()).isEqualTo("127.0.0.1:0");
    assertThat(egress.path("routes").get(0).path("name").asText()).isEqualTo("app");
    assertThat(egress.path("routes").get(0).path("upstream").asText()).isEqualTo("backend");
  }

  @Test
  void adminStateListsTheBoundListenerAndTheUpstreamEndpoint() throws Exception {
    HttpResponse<String> r = admin("/admin/state");

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode state = JSON.readTree(r.body());
    assertThat(state.path("listeners").path("egress").path("address").asText())
        .isEqualTo("127.0.0.1:" + salve.port("egress"));
    List<String> addresses = new ArrayList<>();
    state.path("upstreams").path("backend").path("endpoints").forEach(e -> addresses.add(e.path("address").asText()));
    assertThat(addresses).containsExactly(endpoint);
    JsonNode ep = state.path("upstreams").path("backend").path("endpoints").get(0);
    assertThat(ep.has("openConnections")).isTrue();
    assertThat(ep.has("inFlight")).isTrue();
    assertThat(state.path("draining").asBoolean(true)).isFalse();
  }

  // ---- 10. access log ----

  @Test
  void everyRequestGetsOneJsonAccessLogLine() throws Exception {
    String id = "obs-it-" + UUID.randomUUID();
    HttpResponse<String> get = proxied(to("/app/log/7?x=1").header("X-Request-Id", id));
    String postId = "obs-it-" + UUID.randomUUID();
    HttpResponse<String> post = proxied(to("/app/log").header("X-Request-Id", postId).POST(HttpRequest.BodyPublishers.ofString("abc")));
    HttpResponse<String> generated = proxied(to("/app/generated"));
    assertThat(List.of(get.statusCode(), post.statusCode(), generated.statusCode())).containsOnly(200);
    List<com.github.tomakehurst.wiremock.verification.LoggedRequest> seen =
        upstream.findAll(getRequestedFor(urlEqualTo("/app/generated")));
    assertThat(seen).hasSize(1);
    String generatedId = seen.get(0).getHeader("X-Request-Id");

    await()
        .atMost(ASYNC)
        .untilAsserted(
            () -> {
              JsonNode g = onlyLogLine(id);
              assertThat(g.path("method").asText()).isEqualTo("GET");
              assertThat(g.path("path").asText()).isEqualTo("/app/log/7");
              assertThat(g.path("status").asInt()).isEqualTo(200);
              assertThat(g.path("upstream").asText()).isEqualTo("backend");
              assertThat(g.path("endpoint").asText()).isEqualTo(endpoint);
              assertThat(g.path("listener").asText()).isEqualTo("egress");
              assertThat(g.path("durationMs").isNumber()).isTrue();
              assertThat(g.path("durationMs").asDouble()).isGreaterThanOrEqualTo(0.0);
              assertThat(g.path("bytesOut").asLong()).isEqualTo("app says hi".length());

              JsonNode p = onlyLogLine(postId);
              assertThat(p.path("method").asText()).isEqualTo("POST");
              assertThat(p.path("bytesIn").asLong()).isEqualTo(3);

              JsonNode gen = onlyLogLine(generatedId);
              assertThat(gen.path("path").asText()).isEqualTo("/app/generated");
              assertThat(gen.path("requestId").asText()).matches("[0-9a-f]{32}");
            });
    // Every line of stdout is one complete JSON object describing a request.
    for (String line : completeLogLines()) {
      JsonNode n = JSON.readTree(line);
      assertThat(n.isObject()).as(line).isTrue();
      assertThat(n.fieldNames()).toIterable().contains("requestId", "method", "path", "status", "upstream", "durationMs");
    }
  }

  /** @return the access log lines written so far, without a line still being written. */
  private List<String> completeLogLines() throws Exception {
    String out = salve.stdout();
    return out.substring(0, out.lastIndexOf('\n') + 1).lines().toList();
  }

  /** @return the single access log line with this request id. */
  private JsonNode onlyLogLine(String requestId) throws Exception {
    List<JsonNode> matching = new ArrayList<>();
    for (String line : completeLogLines()) {
      JsonNode n = JSON.readTree(line);
      if (requestId.equals(n.path("requestId").asText())) {
        matching.add(n);
      }
    }
    assertThat(matching).as("access log lines for %s", requestId).hasSize(1);
    return matching.get(0);
  }
}
