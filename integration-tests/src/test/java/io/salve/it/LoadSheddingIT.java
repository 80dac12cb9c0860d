package io.salve.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.salve.it.support.SalveProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Criticality-tiered load shedding end to end: in-flight slow requests drive the load state through
 * degraded and failing and back; operators force states over the admin API; the adaptive limit
 * sheds in criticality order. Shed requests must never reach the upstream.
 */
class LoadSheddingIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration SLOW = Duration.ofMillis(2500);
  /** Long enough that no slow request ends, and frees a slot, while the adaptive test checks. */
  private static final Duration SLOWER = Duration.ofMillis(6000);
  private static final Pattern TRANSITION = Pattern.compile("load state (\\w+) -> (\\w+)");

  private static final String ROUTES =
      """
      listeners:
        - name: egress
          address: 127.0.0.1:0
          routes:
            - name: critical
              match: { pathPrefix: /critical }
              upstream: backend
              criticality: critical
            - name: normal
              match: { pathPrefix: /normal }
              upstream: backend
            - name: report
              match: { pathPrefix: /report }
              upstream: backend
              criticality: sheddable
      upstreams:
        backend:
          endpoints: [127.0.0.1:%d]
      """;

  private static final String THRESHOLDS =
      """
      admin: { address: 127.0.0.1:0 }
      loadShedding:
        interval: 200ms
        recoverAfter: 1s
        retryAfter: 3s
        degradedWhen: { inflight: 5 }
        failingWhen: { inflight: 12 }
      """;

  private static final String ADAPTIVE =
      """
      admin: { address: 127.0.0.1:0 }
      loadShedding:
        interval: 200ms
        adaptiveConcurrency: { enabled: true, minLimit: 4, maxLimit: 4 }
      """;

  private final ExecutorService clientThreads = Executors.newFixedThreadPool(4);
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(clientThreads).build();
  private WireMockServer upstream;
  private SalveProcess salve;
  private String retryAfter;

  @BeforeEach
  void startUpstream() {
    upstream =
        new WireMockServer(
            options().dynamicPort().bindAddress("127.0.0.1").containerThreads(60).asynchronousResponseEnabled(true));
    upstream.start();
    upstream.stubFor(
        get("/critical/slow").willReturn(aResponse().withStatus(200).withFixedDelay((int) SLOW.toMillis())));
    upstream.stubFor(
        get("/critical/slower").willReturn(aResponse().withStatus(200).withFixedDelay((int) SLOWER.toMillis())));
    for (String path : List.of("/critical", "/normal", "/report")) {
      upstream.stubFor(get(path).willReturn(aResponse().withStatus(200).withBody(path)));
    }
  }

  @AfterEach
  void stopAll() throws Exception {
    try {
      if (salve != null) {
        salve.close();
      }
    } finally {
      upstream.stop();
      clientThreads.shutdownNow();
    }
  }

  /** @param retryAfter the Retry-After of shed answers under {@code head} */
  private void startSalve(String head, String retryAfter) throws Exception {
    this.retryAfter = retryAfter;
    salve = SalveProcess.start(head + ROUTES.formatted(upstream.port()));
  }

  @Test
  void shedsByCriticalityAsInflightRisesAndRecoversWhenItFalls() throws Exception {
    startSalve(THRESHOLDS, "3");
    try (SlowLoad load = new SlowLoad("/critical/slow")) {
      load.keep(7);
      awaitLoadState("degraded");

      assertShed("/report");
      assertServed("/critical");
      assertServed("/normal");
      upstream.verify(0, getRequestedFor(urlEqualTo("/report")));

      load.keep(13);
      awaitLoadState("failing");

      assertShed("/normal");
      assertShed("/report");
      assertServed("/critical");
      upstream.verify(1, getRequestedFor(urlEqualTo("/normal")));
      upstream.verify(0, getRequestedFor(urlEqualTo("/report")));

      load.keep(0);
      await("slow requests done").atMost(Duration.ofSeconds(10)).until(() -> load.running() == 0);
      assertThat(load.statuses()).as("slow critical requests: status -> count").containsOnlyKeys(200);
    }
    // failing -> degraded -> healthy, one recoverAfter (1s) of calm each
    awaitLoadState("healthy");
    assertServed("/report");
    assertServed("/normal");
    upstream.verify(1, getRequestedFor(urlEqualTo("/report")));

    String metrics = adminGet("/metrics").body();
    assertThat(metricValue(metrics, "salve_load_state")).isZero();
    assertThat(shedTotal(metrics, "report", "sheddable", "load_state")).isEqualTo(2);
    assertThat(shedTotal(metrics, "normal", "normal", "load_state")).isEqualTo(1);
    assertThat(shedTotal(metrics, "critical", "critical", "load_state")).isZero();
    assertThat(metricValue(metrics, "salve_load_signal{signal=\"inflight\"}")).isZero();
    // one log line per transition, none per request
    assertThat(transitions())
        .containsExactly("healthy->degraded", "degraded->failing", "failing->degraded", "degraded->healthy");
  }

  @Test
  void operatorsForceAStateAndHandItBack() throws Exception {
    startSalve(THRESHOLDS, "3");

    HttpResponse<String> forced = admin("PUT", "/admin/load-state", "{\"state\": \"failing\", \"for\": \"30s\"}");
    assertThat(forced.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(forced.body()).get("state").asText()).isEqualTo("failing");
    assertThat(JSON.readTree(forced.body()).get("forced").asBoolean()).isTrue();
    assertShed("/normal");
    assertShed("/report");
    assertServed("/critical");

    assertThat(admin("PUT", "/admin/load-state", "{\"state\": \"meltdown\"}").statusCode()).isEqualTo(400);
    assertThat(admin("PUT", "/admin/load-state", "{\"state\": \"degraded\", \"for\": \"soon\"}").statusCode())
        .isEqualTo(400);
    assertThat(admin("PUT", "/admin/load-state", "not json").statusCode()).isEqualTo(400);
    assertThat(loadShedding().get("state").asText()).isEqualTo("failing");

    HttpResponse<String> defaulted = admin("PUT", "/admin/load-state", "{\"state\": \"degraded\"}");
    assertThat(defaulted.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(defaulted.body()).get("forcedRemainingMillis").asLong())
        .isBetween(Duration.ofMinutes(4).toMillis(), Duration.ofMinutes(5).toMillis());
    assertServed("/normal");
    assertShed("/report");

    HttpResponse<String> cleared = admin("DELETE", "/admin/load-state", "");
    assertThat(cleared.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(cleared.body()).get("state").asText()).isEqualTo("healthy");
    assertThat(JSON.readTree(cleared.body()).get("forced").asBoolean()).isFalse();
    assertServed("/report");

    upstream.verify(1, getRequestedFor(urlEqualTo("/normal")));
    upstream.verify(1, getRequestedFor(urlEqualTo("/report")));
    assertThat(salve.stderr()).contains("admin: load state forced to failing for 30000ms");
    assertThat(transitions()).containsExactly("healthy->failing", "failing->degraded", "degraded->healthy");
  }

  @Test
  void theAdaptiveLimitShedsLowerTiersFirst() throws Exception {
    startSalve(ADAPTIVE, "5"); // retryAfter default 5s
    JsonNode limits = loadShedding().get("concurrencyLimits").get("egress");
    assertThat(limits.get("enabled").asBoolean()).isTrue();
    assertThat(limits.get("limit").asInt()).isEqualTo(4);
    try (SlowLoad load = new SlowLoad("/critical/slower")) {
      load.keep(3);
      await().atMost(Duration.ofSeconds(10)).until(() -> limiterInflight() >= 3);
      // 3 in flight under a limit of 4: sheddable needs < 3, normal < 3.6, critical < 4
      assertShed("/report");
      assertServed("/normal");
      load.keep(4);
      await().atMost(Duration.ofSeconds(10)).until(() -> limiterInflight() >= 4);
      assertShed("/critical");
      load.keep(0);
      await("slow requests done").atMost(Duration.ofSeconds(10)).until(() -> load.running() == 0);
      assertThat(load.statuses()).containsOnlyKeys(200);
    }
    assertServed("/critical");
    assertServed("/report");
    upstream.verify(1, getRequestedFor(urlEqualTo("/report")));
    upstream.verify(1, getRequestedFor(urlEqualTo("/critical")));

    String metrics = adminGet("/metrics").body();
    assertThat(metricValue(metrics, "salve_concurrency_limit{listener=\"egress\"}")).isEqualTo(4);
    assertThat(shedTotal(metrics, "report", "sheddable", "concurrency_limit")).isEqualTo(1);
    assertThat(shedTotal(metrics, "critical", "critical", "concurrency_limit")).isEqualTo(1);
    assertThat(transitions()).isEmpty();
  }

  /** @return admitted requests in flight on the listener, as its adaptive limiter counts them */
  private int limiterInflight() throws Exception {
    return loadShedding().get("concurrencyLimits").get("egress").get("inflight").asInt();
  }

  private void assertShed(String path) throws Exception {
    HttpResponse<String> r = proxyGet(path);
    assertThat(r.statusCode()).as("GET %s", path).isEqualTo(503);
    assertThat(r.headers().firstValue("x-salve-error")).as("GET %s", path).hasValue("shed");
    assertThat(r.headers().firstValue("retry-after")).as("GET %s", path).hasValue(retryAfter);
  }

  private void assertServed(String path) throws Exception {
    HttpResponse<String> r = proxyGet(path);
    assertThat(r.statusCode()).as("GET %s", path).isEqualTo(200);
    assertThat(r.body()).isEqualTo(path);
  }

  private HttpResponse<String> proxyGet(String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + salve.port("egress") + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> adminGet(String path) throws Exception {
    return admin("GET", path, null);
  }

  private HttpResponse<String> admin(String method, String path, String body) throws Exception {
    HttpRequest.BodyPublisher publisher =
        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body);
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + salve.adminPort() + path))
            .timeout(Duration.ofSeconds(10))
            .header("content-type", "application/json")
            .method(method, publisher)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode loadShedding() throws Exception {
    HttpResponse<String> r = adminGet("/admin/state");
    assertThat(r.statusCode()).isEqualTo(200);
    return JSON.readTree(r.body()).get("loadShedding");
  }

  private void awaitLoadState(String state) {
    await("load state " + state)
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> loadShedding().get("state").asText(), state::equals);
  }

  private List<String> transitions() throws Exception {
    List<String> out = new ArrayList<>();
    Matcher m = TRANSITION.matcher(salve.stderr());
    while (m.find()) {
      out.add(m.group(1) + "->" + m.group(2));
    }
    return out;
  }

  private static double shedTotal(String metrics, String route, String criticality, String reason) {
    return metricValue(
        metrics,
        "salve_shed_total{criticality=\"%s\",listener=\"egress\",reason=\"%s\",route=\"%s\"}"
            .formatted(criticality, reason, route));
  }

  /** @return the sample value of the exact series {@code nameAndLabels} in a Prometheus scrape */
  private static double metricValue(String scrape, String nameAndLabels) {
    for (String line : scrape.split("\n")) {
      if (line.startsWith(nameAndLabels + " ")) {
        return Double.parseDouble(line.substring(nameAndLabels.length() + 1).trim());
      }
    }
    throw new AssertionError("no series " + nameAndLabels + " in:\n" + scrape);
  }

  /**
   * Keeps a number of slow critical requests in flight: each one that ends is replaced while the
   * target allows. Asynchronous on the bounded client pool; no thread waits per request.
   */
  private final class SlowLoad implements AutoCloseable {
    private final String path;
    private final AtomicInteger target = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();

    SlowLoad(String path) {
      this.path = path;
    }

    void keep(int n) {
      target.set(n);
      fill();
    }

    int running() {
      return running.get();
    }

    Map<Integer, AtomicInteger> statuses() {
      return statuses;
    }

    private void fill() {
      while (true) {
        int r = running.get();
        if (r >= target.get()) {
          return;
        }
        if (running.compareAndSet(r, r + 1)) {
          send();
        }
      }
    }

    private void send() {
      HttpRequest req =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + salve.port("egress") + path))
              .timeout(Duration.ofSeconds(20))
              .build();
      client
          .sendAsync(req, HttpResponse.BodyHandlers.discarding())
          .whenComplete(
              (resp, err) -> {
                int status = err != null ? -1 : resp.statusCode();
                statuses.computeIfAbsent(status, k -> new AtomicInteger()).incrementAndGet();
                running.decrementAndGet();
                fill();
              });
    }

    @Override
    public void close() {
      target.set(0);
    }
  }
}
