package io.salve.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
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
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Endpoints registered over the admin API with a lease, kept alive by heartbeats from the test. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LeasesIT {
  private static final Duration POLL = Duration.ofMillis(50);

  private WireMockServer app;
  private WireMockServer probed;
  private SalveProcess salve;

  @BeforeAll
  void start() throws Exception {
    app = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    app.start();
    app.stubFor(get("/work").willReturn(aResponse().withStatus(200).withBody("leased")));
    probed = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    probed.start();
    probed.stubFor(get("/probed/work").willReturn(aResponse().withStatus(200).withBody("probed")));
    probed.stubFor(get("/healthz").willReturn(aResponse().withStatus(500)));
    String yaml =
        """
        admin: { address: 127.0.0.1:0 }
        listeners:
          - name: egress
            address: 127.0.0.1:0
            routes:
              - match: { pathPrefix: /probed/ }
                upstream: probed
              - match: { pathPrefix: / }
                upstream: leased
        upstreams:
          leased:
            leases: { ttl: 2s }
          probed:
            leases: { ttl: 30s }
            healthCheck: { interval: 200ms, timeout: 500ms, unhealthyThreshold: 1, healthyThreshold: 1, panicThreshold: 0.0 }
          fixed:
            endpoints: [127.0.0.1:1]
        """;
    salve = SalveProcess.start(yaml);
  }

  @AfterAll
  void stop() throws Exception {
    try {
      salve.close();
    } finally {
      app.stop();
      probed.stop();
    }
  }

  private HttpResponse<String> admin(String method, String path) {
    return Http.send(method, salve.adminPort(), path);
  }

  private HttpResponse<String> work() {
    return Http.get(salve.port("egress"), "/work");
  }

  @Test
  void aLeasedEndpointGetsTrafficWhileHeartbeatsArriveAndNoneAfterItsTtlLapses() throws Exception {
    String ep = "127.0.0.1:" + app.port();
    String lease = "/admin/upstreams/leased/endpoints/" + ep;
    HttpResponse<String> before = work();
    assertThat(before.statusCode()).isEqualTo(503);
    assertThat(before.body()).contains("no_healthy_endpoint");

    HttpResponse<String> granted = admin("PUT", lease);
    assertThat(granted.statusCode()).isEqualTo(200);
    JsonNode g = json(granted);
    assertThat(g.path("upstream").asText()).isEqualTo("leased");
    assertThat(g.path("endpoint").asText()).isEqualTo(ep);
    assertThat(g.path("ttl").asText()).isEqualTo("2s");
    assertThat(g.path("expiresInMillis").asLong()).isBetween(1L, 2000L);
    assertThat(g.path("new").asBoolean()).isTrue();

    List<Integer> heartbeatStatuses = new CopyOnWriteArrayList<>();
    ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor();
    long stoppedAt;
    try {
      heartbeat.scheduleAtFixedRate(
          () -> heartbeatStatuses.add(admin("PUT", lease).statusCode()), 300, 300, TimeUnit.MILLISECONDS);
      // Well past two TTLs: only the heartbeats keep the endpoint in rotation. The TTL (2s) is several
      // heartbeat periods (300ms), so a heartbeat delayed by a loaded machine does not lose the lease.
      await().during(Duration.ofMillis(4500)).atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(100))
          .until(() -> work().statusCode() == 200);
      assertThat(json(admin("PUT", lease)).path("new").asBoolean()).as("a renewal, not a new lease").isFalse();
    } finally {
      heartbeat.shutdownNow();
      heartbeat.awaitTermination(5, TimeUnit.SECONDS);
      stoppedAt = System.nanoTime();
    }
    assertThat(heartbeatStatuses).hasSizeGreaterThanOrEqualTo(5).containsOnly(200);
    assertThat(endpointState(salve.adminPort(), "leased", ep).path("leaseExpiresInMillis").asLong())
        .isBetween(1L, 2000L);

    // The last renewal was at most ~300ms ago: TTL 2s plus one sweep (250ms), with slack.
    await().atMost(Duration.ofMillis(2000 + 250 + 2000)).pollInterval(POLL).until(() -> work().statusCode() == 503);
    long goneAfterMillis = (System.nanoTime() - stoppedAt) / 1_000_000;
    assertThat(goneAfterMillis).as("the lease outlives the last heartbeat").isGreaterThanOrEqualTo(300);
    assertThat(work().body()).contains("no_healthy_endpoint");
    assertThat(endpointState(salve.adminPort(), "leased", ep)).isNull();
    assertThat(metric(salve.adminPort(), "salve_lease_expirations_total", "upstream=leased")).isEqualTo(1.0);
    assertThat(metric(salve.adminPort(), "salve_leases", "upstream=leased")).isEqualTo(0.0);
    assertThat(salve.stderr()).containsOnlyOnce("lease of endpoint leased/" + ep + " expired: removed from rotation");

    // Renewing after expiry registers it anew; DELETE takes it out at once.
    assertThat(json(admin("PUT", lease + "?ttl=10s")).path("new").asBoolean()).isTrue();
    assertThat(work().statusCode()).isEqualTo(200);
    assertThat(metric(salve.adminPort(), "salve_leases", "upstream=leased")).isEqualTo(1.0);
    HttpResponse<String> deleted = admin("DELETE", lease);
    assertThat(deleted.statusCode()).isEqualTo(200);
    assertThat(json(deleted).path("removed").asBoolean()).isTrue();
    assertThat(work().statusCode()).isEqualTo(503);
    assertThat(admin("DELETE", lease).statusCode()).isEqualTo(404);
    assertThat(metric(salve.adminPort(), "salve_lease_expirations_total", "upstream=leased"))
        .as("a revocation is not an expiry")
        .isEqualTo(1.0);
  }

  @Test
  void aLeasedEndpointIsProbedLikeAStaticOne() throws Exception {
    String ep = "127.0.0.1:" + probed.port();
    String lease = "/admin/upstreams/probed/endpoints/" + ep;
    assertThat(admin("PUT", lease).statusCode()).isEqualTo(200);

    await().atMost(Duration.ofSeconds(3)).pollInterval(POLL)
        .until(() -> !endpointState(salve.adminPort(), "probed", ep).path("healthy").asBoolean());
    assertThat(Http.get(salve.port("egress"), "/probed/work").statusCode()).isEqualTo(503);
    assertThat(metric(salve.adminPort(), "salve_endpoint_healthy", "upstream=probed", "endpoint=" + ep))
        .isEqualTo(0.0);

    probed.stubFor(get("/healthz").willReturn(aResponse().withStatus(200)));
    await().atMost(Duration.ofSeconds(3)).pollInterval(POLL)
        .until(() -> Http.get(salve.port("egress"), "/probed/work").statusCode() == 200);
    assertThat(metric(salve.adminPort(), "salve_endpoint_healthy", "upstream=probed", "endpoint=" + ep))
        .isEqualTo(1.0);

    assertThat(admin("DELETE", lease).statusCode()).isEqualTo(200);
    assertThat(metric(salve.adminPort(), "salve_endpoint_healthy", "upstream=probed", "endpoint=" + ep))
        .as("gauges of an endpoint that left are removed")
        .isNull();
    // Its probe loop stopped: no /healthz reaches it any more.
    probed.resetRequests();
    await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2)).pollInterval(POLL)
        .until(() -> probed.countRequestsMatching(getRequestedFor(urlEqualTo("/healthz")).build()).getCount() == 0);
  }

  @Test
  void rejectsBadLeaseCalls() {
    String ep = "127.0.0.1:" + app.port();
    HttpResponse<String> unknown = admin("PUT", "/admin/upstreams/nope/endpoints/" + ep);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(json(unknown).path("error").asText()).isEqualTo("unknown_upstream");

    HttpResponse<String> noLeases = admin("PUT", "/admin/upstreams/fixed/endpoints/" + ep);
    assertThat(noLeases.statusCode()).isEqualTo(404);
    assertThat(json(noLeases).path("error").asText()).isEqualTo("leases_not_enabled");

    HttpResponse<String> badEndpoint = admin("PUT", "/admin/upstreams/leased/endpoints/not-a-port:99999");
    assertThat(badEndpoint.statusCode()).isEqualTo(400);
    assertThat(json(badEndpoint).path("error").asText()).isEqualTo("bad_endpoint");

    HttpResponse<String> badTtl = admin("PUT", "/admin/upstreams/leased/endpoints/" + ep + "?ttl=soon");
    assertThat(badTtl.statusCode()).isEqualTo(400);
    assertThat(json(badTtl).path("error").asText()).isEqualTo("bad_ttl");

    assertThat(admin("GET", "/admin/upstreams/leased/endpoints/" + ep).statusCode()).isEqualTo(405);
    assertThat(admin("DELETE", "/admin/upstreams/leased/endpoints/127.0.0.1:2").statusCode()).isEqualTo(404);
  }
}
