package io.salve.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.moreThanOrExactly;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.salve.it.support.Http.endpointState;
import static io.salve.it.support.Http.json;
import static io.salve.it.support.Http.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.salve.it.support.Http;
import io.salve.it.support.SalveProcess;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Active health probes against real WireMock endpoints: rotation, readiness, TCP probes, panic mode. */
class HealthCheckIT {
  private static final Duration POLL = Duration.ofMillis(50);

  private final List<WireMockServer> servers = new ArrayList<>();

  @BeforeEach
  void startServers() {
    for (String name : List.of("a", "b")) {
      WireMockServer s = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
      s.start();
      s.stubFor(get("/healthz").willReturn(aResponse().withStatus(200)));
      s.stubFor(get("/work").willReturn(aResponse().withStatus(200).withBody(name)));
      servers.add(s);
    }
  }

  @AfterEach
  void stopServers() {
    servers.forEach(WireMockServer::stop);
  }

  private WireMockServer a() {
    return servers.get(0);
  }

  private WireMockServer b() {
    return servers.get(1);
  }

  private static String yaml(String upstream, String extra) {
    return """
        admin: { address: 127.0.0.1:0%s }
        listeners:
          - name: egress
            address: 127.0.0.1:0
            routes:
              - match: { pathPrefix: / }
                upstream: app
        upstreams:
          app:
        %s
        """
        .formatted(extra, upstream.indent(4));
  }

  private static int[] spread(SalveProcess salve, int requests) {
    int[] byServer = new int[2];
    for (int i = 0; i < requests; i++) {
      HttpResponse<String> r = Http.get(salve.port("egress"), "/work");
      assertThat(r.statusCode()).as("request %d: %s", i, r.body()).isEqualTo(200);
      byServer[r.body().equals("a") ? 0 : 1]++;
    }
    return byServer;
  }

  private static boolean healthy(SalveProcess salve, String endpoint) {
    JsonNode e = endpointState(salve.adminPort(), "app", endpoint);
    return e != null && e.path("healthy").asBoolean();
  }

  @Test
  void anEndpointFailingItsProbeGetsNoTrafficUntilItPassesAgain() throws Exception {
    String epA = "127.0.0.1:" + a().port();
    String epB = "127.0.0.1:" + b().port();
    String upstream =
        """
        endpoints: [%s, %s]
        healthCheck: { interval: 200ms, timeout: 500ms, unhealthyThreshold: 2, healthyThreshold: 2, panicThreshold: 0.0 }
        """
            .formatted(epA, epB);
    try (SalveProcess salve = SalveProcess.start(yaml(upstream, ""))) {
      await().atMost(Duration.ofSeconds(5)).pollInterval(POLL)
          .until(() -> !endpointState(salve.adminPort(), "app", epB).path("lastProbe").isNull());
      int[] before = spread(salve, 20);
      assertThat(before[0]).as("a before").isPositive();
      assertThat(before[1]).as("b before").isPositive();
      b().verify(
          moreThanOrExactly(1),
          getRequestedFor(urlEqualTo("/healthz"))
              .withHeader("User-Agent", equalTo("salve-health"))
              .withHeader("Connection", equalTo("close"))
              .withHeader("Host", equalTo(epB)));

      b().stubFor(get("/healthz").willReturn(aResponse().withStatus(500)));
      long failingSince = System.nanoTime();
      // unhealthyThreshold x interval plus one interval (600ms), with slack for jitter and a busy machine.
      await().atMost(Duration.ofMillis(2 * 200 + 200 + 800)).pollInterval(POLL).until(() -> !healthy(salve, epB));
      long tookMillis = (System.nanoTime() - failingSince) / 1_000_000;
      assertThat(tookMillis).as("two failed probes take more than one interval").isGreaterThanOrEqualTo(200);

      JsonNode stateB = endpointState(salve.adminPort(), "app", epB);
      assertThat(stateB.path("consecutiveFailures").asInt()).isGreaterThanOrEqualTo(2);
      assertThat(stateB.path("lastProbe").isNumber()).isTrue();
      assertThat(stateB.path("lastProbe").asLong()).isBetween(0L, 1000L);
      assertThat(endpointState(salve.adminPort(), "app", epA).path("healthy").asBoolean()).isTrue();
      assertThat(metric(salve.adminPort(), "salve_endpoint_healthy", "endpoint=" + epB)).isEqualTo(0.0);
      assertThat(metric(salve.adminPort(), "salve_endpoint_healthy", "endpoint=" + epA)).isEqualTo(1.0);
      assertThat(metric(salve.adminPort(), "salve_health_checks_total", "endpoint=" + epB, "result=fail"))
          .isGreaterThanOrEqualTo(2.0);

      a().resetRequests();
      b().resetRequests();
      int[] during = spread(salve, 20);
      assertThat(during).containsExactly(20, 0);
      b().verify(0, getRequestedFor(urlEqualTo("/work")));
      a().verify(20, getRequestedFor(urlEqualTo("/work")));

      b().stubFor(get("/healthz").willReturn(aResponse().withStatus(200)));
      await().atMost(Duration.ofMillis(2 * 220 + 200 + 1300)).pollInterval(POLL).until(() -> healthy(salve, epB));

      a().resetRequests();
      b().resetRequests();
      int[] after = spread(salve, 20);
      assertThat(after[0] + after[1]).isEqualTo(20);
      assertThat(after[1]).as("b after it passes again").isBetween(5, 15);
      b().verify(after[1], getRequestedFor(urlEqualTo("/work")));
      assertThat(metric(salve.adminPort(), "salve_endpoint_healthy", "endpoint=" + epB)).isEqualTo(1.0);

      String log = salve.stderr();
      assertThat(log).containsOnlyOnce("endpoint app/" + epB + " is unhealthy after 2 failed probe(s) (last: status 500");
      assertThat(log).containsOnlyOnce("endpoint app/" + epB + " is healthy again after 2 passed probe(s)");
    }
  }

  @Test
  void readyFollowsTheOnlyAppEndpointAndRequestsGet503WhenItIsDown() throws Exception {
    String epA = "127.0.0.1:" + a().port();
    String upstream =
        """
        endpoints: [%s]
        healthCheck: { interval: 200ms, timeout: 500ms, unhealthyThreshold: 1, healthyThreshold: 1, panicThreshold: 0.0 }
        """
            .formatted(epA);
    try (SalveProcess salve = SalveProcess.start(yaml(upstream, ", readyWhenHealthy: [app]"))) {
      assertThat(Http.get(salve.adminPort(), "/ready").statusCode()).isEqualTo(200);

      a().stubFor(get("/healthz").willReturn(aResponse().withStatus(503)));
      await().atMost(Duration.ofSeconds(10)).pollInterval(POLL)
          .until(() -> Http.get(salve.adminPort(), "/ready").statusCode() == 503);
      JsonNode ready = json(Http.get(salve.adminPort(), "/ready"));
      assertThat(ready.path("reason").asText()).isEqualTo("upstream 'app' has no healthy endpoint");
      HttpResponse<String> refused = Http.get(salve.port("egress"), "/work");
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.body()).contains("no_healthy_endpoint");
      assertThat(Http.get(salve.adminPort(), "/live").statusCode()).isEqualTo(200);

      a().stubFor(get("/healthz").willReturn(aResponse().withStatus(200)));
      await().atMost(Duration.ofSeconds(10)).pollInterval(POLL)
          .until(() -> Http.get(salve.adminPort(), "/ready").statusCode() == 200);
      assertThat(Http.get(salve.port("egress"), "/work").statusCode()).isEqualTo(200);
      assertThat(salve.stderr()).contains("upstream app recovered after");
    }
  }

  @Test
  void aTcpProbeTakesAClosedPortOutOfRotation() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    String epA = "127.0.0.1:" + a().port();
    String dead = "127.0.0.1:" + closed;
    String upstream =
        """
        endpoints: [%s, %s]
        healthCheck: { type: tcp, interval: 200ms, timeout: 500ms, unhealthyThreshold: 1, panicThreshold: 0.0 }
        """
            .formatted(epA, dead);
    try (SalveProcess salve = SalveProcess.start(yaml(upstream, ""))) {
      await().atMost(Duration.ofSeconds(3)).pollInterval(POLL).until(() -> !healthy(salve, dead));
      assertThat(healthy(salve, epA)).isTrue();
      a().resetRequests();
      assertThat(spread(salve, 10)).containsExactly(10, 0);
      a().verify(0, getRequestedFor(urlEqualTo("/healthz"))); // tcp probes send nothing
    }
  }

  @Test
  void panicModeKeepsBalancingOverAllWhenTooFewAreHealthy() throws Exception {
    a().stubFor(get("/healthz").willReturn(aResponse().withStatus(500)));
    b().stubFor(get("/healthz").willReturn(aResponse().withStatus(500)));
    String epA = "127.0.0.1:" + a().port();
    String epB = "127.0.0.1:" + b().port();
    String upstream =
        """
        endpoints: [%s, %s]
        healthCheck: { interval: 200ms, timeout: 500ms, unhealthyThreshold: 1, panicThreshold: 0.5 }
        """
            .formatted(epA, epB);
    try (SalveProcess salve = SalveProcess.start(yaml(upstream, ""))) {
      await().atMost(Duration.ofSeconds(3)).pollInterval(POLL).until(() -> !healthy(salve, epA) && !healthy(salve, epB));
      int[] byServer = spread(salve, 10);
      assertThat(byServer[0]).as("a in panic").isPositive();
      assertThat(byServer[1]).as("b in panic").isPositive();
    }
  }
}
