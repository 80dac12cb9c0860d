package io.salve.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.salve.it.support.Http;
import io.salve.it.support.PrometheusText;
import io.salve.it.support.Promtool;
import io.salve.it.support.SalveProcess;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The scrape passes Prometheus' own linter, {@code promtool check metrics}, without a single warning,
 * with as many of salve's meters present as a short run can bring about: requests of every outcome,
 * retries and a spent retry budget, an opened circuit breaker, an ejected endpoint, health checks, a
 * recovery webhook, leases, load shedding with adaptive concurrency, and the JVM and process meters.
 */
class PrometheusLintIT {
  /** Families that must be in the scrape, so that the lint covers them and not only the JVM's. */
  private static final List<String> FAMILIES =
      List.of(
          "salve_requests_total",
          "salve_request_duration_seconds",
          "salve_upstream_requests_total",
          "salve_upstream_connections",
          "salve_upstream_streams",
          "salve_inflight_requests",
          "salve_retries_total",
          "salve_retry_budget_exhausted_total",
          "salve_circuit_breaker_state",
          "salve_circuit_breaker_transitions_total",
          "salve_endpoint_ejected",
          "salve_endpoint_healthy",
          "salve_health_checks_total",
          "salve_recovery_actions_total",
          "salve_leases",
          "salve_lease_expirations_total",
          "salve_load_state",
          "salve_load_signal",
          "salve_shed_total",
          "salve_concurrency_limit",
          "salve_rejected_total",
          "process_cpu_seconds_total",
          "process_cpu_usage",
          "system_cpus",
          "jvm_gc_collections_total",
          "jvm_memory_used_bytes");

  @Test
  void theScrapePassesPromtoolCheckMetricsWithNoOutput() throws Exception {
    Promtool promtool = Promtool.require();
    WireMockServer app = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    app.start();
    try {
      app.stubFor(any(urlPathMatching("/ok.*")).willReturn(aResponse().withStatus(200).withBody("ok")));
      app.stubFor(any(urlPathMatching("/fail.*")).willReturn(aResponse().withStatus(503)));
      app.stubFor(get("/healthz").willReturn(aResponse().withStatus(200)));
      app.stubFor(get("/sick-healthz").willReturn(aResponse().withStatus(500)));
      app.stubFor(post("/recover").willReturn(aResponse().withStatus(200)));
      String yaml =
          """
          admin:
            address: 127.0.0.1:0
            probes: { address: 127.0.0.1:0 }
          accessLog: { enabled: false }
          listeners:
            - name: egress
              address: 127.0.0.1:0
              routes:
                - name: ok
                  match: { pathPrefix: /ok }
                  upstream: app
                  criticality: critical
                - name: fail
                  match: { pathPrefix: /fail }
                  upstream: app
                  retry: { maxAttempts: 2, retryOn: [gateway-error], backoff: { initial: 1ms, max: 2ms } }
                - name: dead
                  match: { pathPrefix: /dead }
                  upstream: dead
                  retry: { maxAttempts: 3, retryOn: [connect-failure], backoff: { initial: 1ms, max: 2ms } }
                - name: sick
                  match: { pathPrefix: /sick }
                  upstream: sick
                - name: reports
                  match: { pathPrefix: /reports }
                  upstream: app
                  criticality: sheddable
          upstreams:
            app:
              endpoints: [127.0.0.1:%1$d]
              healthCheck: { path: /healthz, interval: 200ms }
            dead:
              endpoints: [127.0.0.1:1]
              circuitBreaker: { failureThreshold: 2, openDuration: 30s }
              outlierDetection: { consecutiveFailures: 1 }
              retryBudget: { ratio: 0.0, minPerSecond: 0 }
            sick:
              endpoints: [127.0.0.1:%1$d]
              healthCheck: { path: /sick-healthz, interval: 100ms, unhealthyThreshold: 1, panicThreshold: 0.0 }
              recovery: { after: 300ms, webhook: "http://127.0.0.1:%1$d/recover" }
            leased:
              leases: { ttl: 1s }
          loadShedding:
            interval: 200ms
            degradedWhen: { inflight: 1000, latencyP99: 5s }
            adaptiveConcurrency: { enabled: true }
          """
              .formatted(app.port());
      try (SalveProcess salve = SalveProcess.start(yaml)) {
        int egress = salve.port("egress");
        for (int i = 0; i < 5; i++) {
          Http.get(egress, "/ok/" + i);
          Http.get(egress, "/fail/" + i);
          Http.get(egress, "/dead/" + i);
          Http.get(egress, "/sick/" + i);
          Http.get(egress, "/nowhere/" + i);
        }
        assertThat(Http.send("PUT", salve.adminPort(), "/admin/upstreams/leased/endpoints/127.0.0.1:" + app.port()).statusCode())
            .isEqualTo(200);
        forceLoadState(salve.adminPort(), "failing");
        assertThat(Http.get(egress, "/reports/x").statusCode()).as("shed while failing").isEqualTo(503);
        forceLoadState(salve.adminPort(), "healthy");

        // Some meters appear only after their first event (a recovery call, a lease expiry).
        await()
            .atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(100))
            .untilAsserted(
                () -> {
                  PrometheusText scrape = PrometheusText.parse(Http.get(salve.probesPort(), "/metrics").body());
                  for (String family : FAMILIES) {
                    assertThat(scrape.type(family)).as("type of " + family).isNotNull();
                  }
                });

        String exposition = Http.get(salve.probesPort(), "/metrics").body();
        Promtool.Result lint = promtool.checkMetrics(exposition);
        assertThat(lint.output()).as("promtool check metrics output").isEmpty();
        assertThat(lint.exitCode()).as("promtool check metrics exit code").isZero();
      }
    } finally {
      app.stop();
    }
  }

  @Test
  void promtoolReportsANameItRefuses() throws Exception {
    // The check above is only worth something if promtool, run this way, can complain.
    Promtool.Result lint =
        Promtool.require().checkMetrics("# HELP system_cpu_count x\n# TYPE system_cpu_count gauge\nsystem_cpu_count 2\n");
    assertThat(lint.exitCode()).isNotZero();
    assertThat(lint.output()).contains("system_cpu_count").contains("_count");
  }

  private static void forceLoadState(int adminPort, String state) throws Exception {
    HttpResponse<String> r =
        Http.newClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/admin/load-state"))
                    .timeout(Duration.ofSeconds(5))
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"state\": \"" + state + "\", \"for\": \"1m\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("PUT /admin/load-state " + state).isEqualTo(200);
  }
}
