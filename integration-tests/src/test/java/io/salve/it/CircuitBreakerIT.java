package io.salve.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import io.salve.it.support.LoopbackWireMock;
import io.salve.it.support.SalveHttp;
import io.salve.it.support.SalveProcess;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 4, circuit breakers, against the real jar: a breaker opens after exactly {@code
 * failureThreshold} failed attempts of each kind it counts, refuses with 503 {@code circuit_open}
 * and {@code Retry-After} without touching the upstream while open, lets one trial through after
 * {@code openDuration}, reopens on a failed trial, closes after {@code successThreshold} good ones,
 * and belongs to one upstream only. One salve serves every test; each test owns its upstreams (all
 * pointing at one WireMock, told apart by path), so no test sees another's breaker.
 */
class CircuitBreakerIT {
  private static final String YAML =
      """
      admin: { address: 127.0.0.1:0 }
      listeners:
        - name: egress
          address: 127.0.0.1:0
          routes:
            - { name: reset, match: { pathPrefix: /reset }, upstream: cb-reset }
            - { name: errors, match: { pathPrefix: /errors }, upstream: cb-errors }
            - { name: slow, match: { pathPrefix: /slow }, upstream: cb-slow, timeout: 300ms }
            - { name: cycle, match: { pathPrefix: /cycle }, upstream: cb-cycle }
            - { name: retrying, match: { pathPrefix: /retrying }, upstream: cb-retrying }
            - { name: trial, match: { pathPrefix: /trial }, upstream: cb-trial }
            - { name: a, match: { pathPrefix: /a }, upstream: cb-a }
            - { name: b, match: { pathPrefix: /b }, upstream: cb-b }
      upstreams:
        cb-reset:
          endpoints: [127.0.0.1:%1$d]
          circuitBreaker: { failureThreshold: 3, successThreshold: 2, openDuration: 30s }
          retry: { maxAttempts: 1 }
        cb-errors:
          endpoints: [127.0.0.1:%1$d]
          circuitBreaker: { failureThreshold: 3, successThreshold: 2, openDuration: 30s }
          retry: { maxAttempts: 1 }
        cb-slow:
          endpoints: [127.0.0.1:%1$d]
          circuitBreaker: { failureThreshold: 3, successThreshold: 2, openDuration: 30s }
          retry: { maxAttempts: 1 }
        cb-cycle:
          endpoints: [127.0.0.1:%1$d]
          circuitBreaker: { failureThreshold: 3, successThreshold: 2, openDuration: 1s }
          retry: { maxAttempts: 1 }
        cb-trial:
          endpoints: [127.0.0.1:%1$d]
          circuitBreaker: { failureThreshold: 3, successThreshold: 2, openDuration: 1s, halfOpenMaxRequests: 1 }
          retry: { maxAttempts: 1 }
        cb-retrying:
          endpoints: [127.0.0.1:%1$d]
          circuitBreaker: { failureThreshold: 3, successThreshold: 2, openDuration: 30s }
          retry: { maxAttempts: 2, retryOn: [reset], backoff: { initial: 10ms, max: 10ms, jitter: none } }
        cb-a:
          endpoints: [127.0.0.1:%1$d]
          circuitBreaker: { failureThreshold: 3, successThreshold: 2, openDuration: 30s }
          retry: { maxAttempts: 1 }
        cb-b:
          endpoints: [127.0.0.1:%1$d]
          circuitBreaker: { failureThreshold: 3, successThreshold: 2, openDuration: 30s }
          retry: { maxAttempts: 1 }
      """;

  private static WireMockServer wm;
  private static SalveProcess salve;
  private static SalveHttp http;

  @BeforeAll
  static void start() throws Exception {
    wm = LoopbackWireMock.start();
    salve = SalveProcess.start(YAML.formatted(wm.port()));
    http = new SalveHttp(salve, "egress");
  }

  @AfterAll
  static void stop() throws Exception {
    LoopbackWireMock.stopAll(salve, wm);
  }

  @AfterEach
  void resetUpstream() {
    wm.resetAll();
  }

  /** The ways an attempt can fail that a default {@code failOn} counts. */
  enum FailureKind {
    RESET("/reset", "cb-reset", aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), 502, "upstream_reset"),
    SERVER_ERROR("/errors", "cb-errors", aResponse().withStatus(500).withBody("boom"), 500, null),
    TIMEOUT("/slow", "cb-slow", aResponse().withStatus(200).withFixedDelay(2_000), 504, "upstream_timeout");

    final String path;
    final String upstream;
    final ResponseDefinitionBuilder stub;
    final int clientStatus;
    final String salveError;

    FailureKind(String path, String upstream, ResponseDefinitionBuilder stub, int clientStatus, String salveError) {
      this.path = path;
      this.upstream = upstream;
      this.stub = stub;
      this.clientStatus = clientStatus;
      this.salveError = salveError;
    }
  }

  @ParameterizedTest
  @EnumSource(FailureKind.class)
  void opensAfterExactlyFailureThresholdFailuresThenRefusesWithoutCallingTheUpstream(FailureKind kind)
      throws Exception {
    wm.stubFor(any(urlPathMatching(kind.path + ".*")).willReturn(kind.stub));

    for (int i = 1; i <= 3; i++) {
      HttpResponse<String> r = http.get(kind.path + "/" + i);
      assertThat(r.statusCode()).as("failure %d of 3", i).isEqualTo(kind.clientStatus);
      assertThat(r.headers().firstValue("x-salve-error")).as("failure %d", i)
          .isEqualTo(Optional.ofNullable(kind.salveError));
    }
    assertThat(received(kind.path)).as("attempts that reached the upstream").isEqualTo(3);
    assertThat(breakerState(kind.upstream)).isEqualTo("open");

    for (int i = 0; i < 5; i++) {
      HttpResponse<String> r = http.get(kind.path + "/while-open-" + i);
      assertCircuitOpen(r, 25, 30);
    }
    assertThat(received(kind.path)).as("requests that reached the upstream while open").isEqualTo(3);
    assertThat(http.metric("salve_circuit_breaker_state", Map.of("upstream", kind.upstream, "state", "open")))
        .hasValue(1.0);
    assertThat(http.counter("salve_rejected_total", Map.of("upstream", kind.upstream, "reason", "circuit_open")))
        .isEqualTo(5.0);
    assertThat(transitions(kind.upstream, "closed", "open")).isEqualTo(1.0);
  }

  @Test
  void aFailedTrialReopensTheCircuitAndSuccessThresholdTrialsCloseIt() throws Exception {
    wm.stubFor(any(urlPathMatching("/cycle.*")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    for (int i = 0; i < 3; i++) {
      assertThat(http.get("/cycle").statusCode()).isEqualTo(502);
    }
    assertCircuitOpen(http.get("/cycle"), 1, 1);
    assertThat(received("/cycle")).isEqualTo(3);

    // After openDuration the first request is a trial and reaches the upstream; it fails, so the
    // circuit opens again and the next request is refused without reaching it.
    HttpResponse<String> trial = firstRequestPastTheOpenCircuit("/cycle");
    assertThat(trial.statusCode()).isEqualTo(502);
    assertThat(trial.headers().firstValue("x-salve-error")).hasValue("upstream_reset");
    assertThat(received("/cycle")).as("the failed trial reached the upstream").isEqualTo(4);
    assertCircuitOpen(http.get("/cycle"), 1, 1);
    assertThat(received("/cycle")).isEqualTo(4);
    assertThat(transitions("cb-cycle", "half_open", "open")).isEqualTo(1.0);

    // The upstream recovers: one good trial leaves the circuit half-open, the second closes it.
    wm.resetAll();
    wm.stubFor(any(urlPathMatching("/cycle.*")).willReturn(aResponse().withStatus(200).withBody("back")));
    HttpResponse<String> good = firstRequestPastTheOpenCircuit("/cycle");
    assertThat(good.statusCode()).isEqualTo(200);
    assertThat(good.body()).isEqualTo("back");
    assertThat(breakerState("cb-cycle")).isEqualTo("half_open");
    assertThat(http.get("/cycle").statusCode()).isEqualTo(200);
    assertThat(received("/cycle")).isEqualTo(2);

    assertThat(http.upstreamState("cb-cycle").path("circuitBreaker").path("state").asText()).isEqualTo("closed");
    assertThat(http.upstreamState("cb-cycle").path("circuitBreaker").path("consecutiveFailures").asInt())
        .isZero();
    assertThat(http.metric("salve_circuit_breaker_state", Map.of("upstream", "cb-cycle", "state", "closed")))
        .hasValue(1.0);
    assertThat(http.metric("salve_circuit_breaker_state", Map.of("upstream", "cb-cycle", "state", "open")))
        .hasValue(0.0);
    assertThat(http.metric("salve_circuit_breaker_state", Map.of("upstream", "cb-cycle", "state", "half_open")))
        .hasValue(0.0);
    assertThat(transitions("cb-cycle", "closed", "open")).isEqualTo(1.0);
    assertThat(transitions("cb-cycle", "open", "half_open")).isEqualTo(2.0);
    assertThat(transitions("cb-cycle", "half_open", "closed")).isEqualTo(1.0);
    for (int i = 0; i < 5; i++) {
      assertThat(http.get("/cycle").statusCode()).as("closed again: request %d", i).isEqualTo(200);
    }
    assertThat(received("/cycle")).isEqualTo(7);
  }

  @Test
  void halfOpenLetsOnlyHalfOpenMaxRequestsTrialsThroughAtOnce() throws Exception {
    wm.stubFor(any(urlPathMatching("/trial.*")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    for (int i = 0; i < 3; i++) {
      assertThat(http.get("/trial").statusCode()).isEqualTo(502);
    }
    wm.resetAll();
    wm.stubFor(any(urlPathMatching("/trial.*")).willReturn(aResponse().withStatus(200).withFixedDelay(800)));
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
        .until(() -> breakerState("cb-trial").equals("half_open"));

    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      calls.add(http.sendAsync(http.request("/trial/" + i).GET()));
    }
    int passed = 0;
    for (CompletableFuture<HttpResponse<String>> call : calls) {
      HttpResponse<String> r = call.join();
      if (r.statusCode() == 200) {
        passed++;
      } else {
        assertCircuitOpen(r, 1, 1);
      }
    }
    assertThat(passed).as("trials let through at once").isEqualTo(1);
    assertThat(received("/trial")).isEqualTo(1);
    // One good trial of successThreshold 2: still half-open, and the next trial closes it.
    assertThat(breakerState("cb-trial")).isEqualTo("half_open");
    assertThat(http.get("/trial").statusCode()).isEqualTo(200);
    assertThat(breakerState("cb-trial")).isEqualTo("closed");
  }

  @Test
  void retriesCountAsAttemptsAndStopOnceTheCircuitOpens() throws Exception {
    wm.stubFor(
        any(urlPathMatching("/retrying.*")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

    HttpResponse<String> first = http.get("/retrying");
    assertThat(first.statusCode()).isEqualTo(502);
    assertThat(first.headers().firstValue("x-salve-attempts")).hasValue("2");
    // The third failed attempt opens the circuit: the retry it would have earned is not made.
    HttpResponse<String> second = http.get("/retrying");
    assertThat(second.statusCode()).isEqualTo(502);
    assertThat(second.headers().firstValue("x-salve-attempts")).hasValue("1");
    assertCircuitOpen(http.get("/retrying"), 25, 30);
    assertThat(received("/retrying")).isEqualTo(3);
  }

  @Test
  void eachUpstreamHasItsOwnBreaker() throws Exception {
    wm.stubFor(any(urlPathMatching("/a.*")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    wm.stubFor(any(urlPathMatching("/b.*")).willReturn(aResponse().withStatus(200).withBody("b")));

    for (int i = 0; i < 3; i++) {
      assertThat(http.get("/a").statusCode()).isEqualTo(502);
      assertThat(http.get("/b").statusCode()).isEqualTo(200);
    }
    for (int i = 0; i < 5; i++) {
      assertCircuitOpen(http.get("/a"), 25, 30);
      HttpResponse<String> b = http.get("/b");
      assertThat(b.statusCode()).isEqualTo(200);
      assertThat(b.body()).isEqualTo("b");
    }
    assertThat(received("/a")).isEqualTo(3);
    assertThat(received("/b")).isEqualTo(8);
    assertThat(breakerState("cb-a")).isEqualTo("open");
    assertThat(breakerState("cb-b")).isEqualTo("closed");
    assertThat(http.metric("salve_circuit_breaker_state", Map.of("upstream", "cb-b", "state", "closed")))
        .hasValue(1.0);
    assertThat(http.counter("salve_rejected_total", Map.of("upstream", "cb-b", "reason", "circuit_open")))
        .isZero();
  }

  /** Asserts a 503 {@code circuit_open} whose Retry-After, in whole seconds, is within the bounds. */
  private static void assertCircuitOpen(HttpResponse<String> r, int minRetryAfter, int maxRetryAfter) {
    assertThat(r.statusCode()).as("status of a refused request").isEqualTo(503);
    assertThat(r.headers().firstValue("x-salve-error")).hasValue("circuit_open");
    assertThat(r.headers().firstValue("x-salve-attempts")).as("attempts made").hasValue("0");
    assertThat(r.headers().firstValue("retry-after")).as("Retry-After").isPresent();
    assertThat(Integer.parseInt(r.headers().firstValue("retry-after").orElseThrow()))
        .as("Retry-After: the whole seconds left open, rounded up")
        .isBetween(minRetryAfter, maxRetryAfter);
  }

  /** Sends requests until one is not refused by the open circuit (the trial), and returns it. */
  private static HttpResponse<String> firstRequestPastTheOpenCircuit(String path) {
    AtomicReference<HttpResponse<String>> passed = new AtomicReference<>();
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              int before = received(path);
              HttpResponse<String> r = http.get(path);
              boolean refused = "circuit_open".equals(r.headers().firstValue("x-salve-error").orElse(""));
              if (refused) {
                assertThat(received(path)).as("a refused request reached the upstream").isEqualTo(before);
                return false;
              }
              passed.set(r);
              return true;
            });
    return passed.get();
  }

  private static int received(String pathPrefix) {
    return wm.findAll(anyRequestedFor(urlPathMatching(pathPrefix + ".*"))).size();
  }

  private static String breakerState(String upstream) throws Exception {
    return http.upstreamState(upstream).path("circuitBreaker").path("state").asText();
  }

  private static double transitions(String upstream, String from, String to) throws Exception {
    return http.counter(
        "salve_circuit_breaker_transitions_total", Map.of("upstream", upstream, "from", from, "to", to));
  }
}
