package io.salve.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.salve.it.support.SalveProcess;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * gRPC semantics through the real jar with HTTP/1.1 on both sides (a gRPC call is recognised by its
 * content-type whatever the protocol): salve's own answers are trailers-only gRPC answers, a
 * trailers-only UNAVAILABLE is retried, gRPC failures under HTTP 200 open the breaker, grpc-timeout is
 * the deadline and reaches the upstream reduced, and the access log carries grpcStatus.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrpcAnswersIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** An empty gRPC message: the compressed flag and a zero length. */
  private static final byte[] EMPTY_MESSAGE = new byte[5];

  private WireMockServer upstream;
  private SalveProcess salve;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  void start() throws Exception {
    upstream = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    upstream.start();
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    String yaml = """
        admin: { address: 127.0.0.1:0 }
        listeners:
          - name: edge
            address: 127.0.0.1:0
            routes:
              - match: { pathPrefix: /retry.Svc/ }
                upstream: app
                retry:
                  maxAttempts: 3
                  retryOn: [unavailable]
                  retryNonIdempotent: true
                  backoff: { initial: 10ms, max: 10ms, jitter: none }
              - match: { pathPrefix: /fragile.Svc/ }
                upstream: fragile
              - match: { pathPrefix: /slow.Svc/ }
                upstream: app
                timeout: 5s
              - match: { pathPrefix: /dead.Svc/ }
                upstream: dead
        upstreams:
          app:
            endpoints: [127.0.0.1:%d]
            retry: { maxAttempts: 1 }
          fragile:
            endpoints: [127.0.0.1:%d]
            retry: { maxAttempts: 1 }
            circuitBreaker: { failureThreshold: 2, openDuration: 30s }
          dead:
            endpoints: [127.0.0.1:%d]
            retry: { maxAttempts: 1 }
        """.formatted(upstream.port(), upstream.port(), closed);
    salve = SalveProcess.start(yaml);
  }

  @AfterAll
  void stop() throws Exception {
    salve.assertNoLeaks();
    salve.close();
    upstream.stop();
  }

  @BeforeEach
  void reset() {
    upstream.resetAll();
  }

  private HttpResponse<byte[]> call(String path, String requestId, String grpcTimeout) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + salve.port("edge") + path))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .header("x-request-id", requestId)
        .timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofByteArray(EMPTY_MESSAGE));
    if (grpcTimeout != null) {
      b.header("grpc-timeout", grpcTimeout);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static void assertSalvesGrpcAnswer(HttpResponse<byte[]> r, int grpcStatus, String reason) {
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/grpc");
    assertThat(r.headers().firstValue("grpc-status")).hasValue(Integer.toString(grpcStatus));
    assertThat(r.headers().firstValue("grpc-message")).isPresent();
    assertThat(r.headers().firstValue("x-salve-error")).hasValue(reason);
    assertThat(r.body()).isEmpty();
  }

  private JsonNode logLine(String requestId) throws Exception {
    List<JsonNode> matching = new ArrayList<>();
    String out = salve.stdout();
    for (String line : out.substring(0, out.lastIndexOf('\n') + 1).lines().toList()) {
      JsonNode n = JSON.readTree(line);
      if (requestId.equals(n.path("requestId").asText())) {
        matching.add(n);
      }
    }
    assertThat(matching).as("access log lines for %s", requestId).hasSize(1);
    return matching.get(0);
  }

  private static String id() {
    return "grpc-it-" + UUID.randomUUID();
  }

  @Test
  void noRoute_isUnimplemented() throws Exception {
    String id = id();
    HttpResponse<byte[]> r = call("/nowhere.Svc/Get", id, null);
    assertSalvesGrpcAnswer(r, 12, "no_route");
    assertThat(r.headers().firstValue("grpc-message")).hasValue("no route matches the request");
    await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
      JsonNode line = logLine(id);
      assertThat(line.path("status").asInt()).isEqualTo(200);
      assertThat(line.path("grpcStatus").asInt()).isEqualTo(12);
      assertThat(line.path("error").asText()).isEqualTo("no_route");
    });
  }

  @Test
  void connectFailure_isUnavailable() throws Exception {
    HttpResponse<byte[]> r = call("/dead.Svc/Get", id(), null);
    assertSalvesGrpcAnswer(r, 14, "upstream_connect_failure");
    assertThat(r.headers().firstValue("grpc-message")).hasValue("could not connect to upstream");
  }

  @Test
  void trailersOnlyUnavailable_isRetried() throws Exception {
    upstream.stubFor(post(urlEqualTo("/retry.Svc/Get")).inScenario("warm").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(aResponse().withStatus(200).withHeader("content-type", "application/grpc")
            .withHeader("grpc-status", "14").withHeader("grpc-message", "warming up"))
        .willSetStateTo("warm"));
    upstream.stubFor(post(urlEqualTo("/retry.Svc/Get")).inScenario("warm").whenScenarioStateIs("warm")
        .willReturn(aResponse().withStatus(200).withHeader("content-type", "application/grpc")
            .withHeader("grpc-status", "0")));
    String id = id();
    HttpResponse<byte[]> r = call("/retry.Svc/Get", id, null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("grpc-status")).hasValue("0");
    assertThat(r.headers().firstValue("x-salve-attempts")).hasValue("2");
    upstream.verify(2, postRequestedFor(urlEqualTo("/retry.Svc/Get")));
    for (LoggedRequest seen : upstream.findAll(postRequestedFor(urlEqualTo("/retry.Svc/Get")))) {
      assertThat(seen.getBody()).as("the message replayed").isEqualTo(EMPTY_MESSAGE);
    }
    await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> assertThat(logLine(id).path("grpcStatus").asInt()).isZero());
  }

  @Test
  void grpcFailuresUnderHttp200_openTheBreaker() throws Exception {
    upstream.stubFor(post(urlEqualTo("/fragile.Svc/Get")).willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "application/grpc").withHeader("grpc-status", "13")));
    for (int i = 0; i < 2; i++) {
      HttpResponse<byte[]> r = call("/fragile.Svc/Get", id(), null);
      assertThat(r.headers().firstValue("grpc-status")).hasValue("13");
      assertThat(r.headers().firstValue("x-salve-error")).isEmpty();
    }
    HttpResponse<byte[]> open = call("/fragile.Svc/Get", id(), null);
    assertSalvesGrpcAnswer(open, 14, "circuit_open");
    assertThat(open.headers().firstValue("grpc-message")).hasValue("upstream circuit is open");
    upstream.verify(2, postRequestedFor(urlEqualTo("/fragile.Svc/Get")));
  }

  @Test
  void grpcTimeout_isTheDeadline_andReachesTheUpstreamReduced() throws Exception {
    upstream.stubFor(post(urlEqualTo("/slow.Svc/Get")).willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "application/grpc").withHeader("grpc-status", "0").withFixedDelay(3000)));
    String id = id();
    long start = System.nanoTime();
    HttpResponse<byte[]> r = call("/slow.Svc/Get", id, "400m");
    long tookMillis = (System.nanoTime() - start) / 1_000_000;
    assertSalvesGrpcAnswer(r, 4, "upstream_timeout");
    assertThat(tookMillis).isBetween(380L, 2500L);
    List<LoggedRequest> seen = upstream.findAll(postRequestedFor(urlEqualTo("/slow.Svc/Get")));
    assertThat(seen).hasSize(1);
    String told = seen.get(0).getHeader("grpc-timeout");
    assertThat(told).matches("\\d{1,8}[num]");
    long toldNanos = Long.parseLong(told.substring(0, told.length() - 1))
        * switch (told.charAt(told.length() - 1)) { case 'n' -> 1L; case 'u' -> 1_000L; default -> 1_000_000L; };
    assertThat(toldNanos).as("400ms less the time already spent").isBetween(1L, 400_000_000L);
  }

  @Test
  void routeTimeout_isToldWhenTheClientSetNone() throws Exception {
    upstream.stubFor(post(urlEqualTo("/slow.Svc/Get")).willReturn(aResponse().withStatus(200)
        .withHeader("content-type", "application/grpc").withHeader("grpc-status", "0")));
    HttpResponse<byte[]> r = call("/slow.Svc/Get", id(), null);
    assertThat(r.headers().firstValue("grpc-status")).hasValue("0");
    String told = upstream.findAll(postRequestedFor(urlEqualTo("/slow.Svc/Get"))).get(0).getHeader("grpc-timeout");
    assertThat(told).endsWith("u");
    assertThat(Long.parseLong(told.substring(0, told.length() - 1))).isBetween(4_000_000L, 5_000_000L);
  }
}
