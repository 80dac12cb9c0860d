package io.salve.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.salve.it.support.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.salve.it.support.Http;
import io.salve.it.support.SalveProcess;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code admin.probes.address}: a second admin listener for kubelet probes and Prometheus that serves
 * GET /live, /ready and /metrics and nothing else, while the loopback admin port keeps the whole API.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProbePortIT {
  private WireMockServer upstream;
  private SalveProcess salve;
  private String lease;

  @BeforeAll
  void start() throws Exception {
    upstream = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    upstream.start();
    upstream.stubFor(get("/hello").willReturn(aResponse().withStatus(200).withBody("hi")));
    lease = "/admin/upstreams/leased/endpoints/127.0.0.1:" + upstream.port();
    // 0.0.0.0 without allowNonLoopback: the probe port is meant to be reached from outside the pod.
    String yaml =
        """
        admin:
          address: 127.0.0.1:0
          probes: { address: 0.0.0.0:0 }
        listeners:
          - name: egress
            address: 127.0.0.1:0
            routes:
              - match: { pathPrefix: / }
                upstream: backend
        upstreams:
          backend:
            endpoints: [127.0.0.1:%d]
          leased:
            leases: { ttl: 30s }
        """
            .formatted(upstream.port());
    salve = SalveProcess.start(yaml);
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (salve != null) {
        salve.close(); // SIGTERM; asserts exit code 0 and no leak
      }
    } finally {
      upstream.stop();
    }
  }

  @Test
  void theProbePortBindsItsOwnPortOnAnyInterfaceAndSaysSo() throws Exception {
    assertThat(salve.probesPort()).isNotEqualTo(salve.adminPort());
    assertThat(salve.stderr()).contains("admin probes bound to 0.0.0.0:" + salve.probesPort());
  }

  @Test
  void servesLiveReadyAndMetrics() {
    assertThat(Http.get(salve.port("egress"), "/hello").statusCode()).isEqualTo(200);

    HttpResponse<String> live = Http.get(salve.probesPort(), "/live");
    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(json(live).path("status").asText()).isEqualTo("live");

    HttpResponse<String> ready = Http.get(salve.probesPort(), "/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(json(ready).path("status").asText()).isEqualTo("ready");

    HttpResponse<String> metrics = Http.get(salve.probesPort(), "/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("content-type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("text/plain"));
    assertThat(metrics.body()).contains("salve_requests_total{").contains("jvm_memory_used_bytes");
  }

  @Test
  void answersEverythingElseWithNotFound_andChangesNothing() {
    int probes = salve.probesPort();
    for (String path : new String[] {"/admin/state", "/admin/config", "/admin/load-state", lease, "/", "/metrics/x"}) {
      HttpResponse<String> r = Http.get(probes, path);
      assertThat(r.statusCode()).as("GET " + path).isEqualTo(404);
      assertThat(json(r).path("error").asText()).as("GET " + path).isEqualTo("not_found");
    }
    for (String method : new String[] {"PUT", "POST", "DELETE"}) {
      for (String path : new String[] {lease, "/admin/load-state"}) {
        HttpResponse<String> r = Http.send(method, probes, path);
        assertThat(r.statusCode()).as(method + " " + path).isEqualTo(404);
        assertThat(json(r).path("error").asText()).as(method + " " + path).isEqualTo("not_found");
      }
    }
    // Another method on one of its own paths is 405, as on the admin port: the path exists, the method not.
    HttpResponse<String> postReady = Http.send("POST", probes, "/ready");
    assertThat(postReady.statusCode()).isEqualTo(405);
    assertThat(json(postReady).path("error").asText()).isEqualTo("method_not_allowed");
    // Nothing was registered through the probe port.
    assertThat(json(Http.get(salve.adminPort(), "/admin/state")).path("upstreams").path("leased").path("endpoints"))
        .isEmpty();
  }

  @Test
  void theLoopbackAdminPortStillServesTheWholeApi() {
    int admin = salve.adminPort();
    for (String path : new String[] {"/live", "/ready", "/metrics", "/admin/state", "/admin/config", "/admin/load-state"}) {
      assertThat(Http.get(admin, path).statusCode()).as("GET " + path).isEqualTo(200);
    }
    String otherLease = lease.replace("127.0.0.1:", "127.0.0.2:");
    assertThat(Http.send("PUT", admin, otherLease).statusCode()).isEqualTo(200);
    assertThat(Http.send("DELETE", admin, otherLease).statusCode()).isEqualTo(200);
    assertThat(json(Http.get(admin, "/admin/config")).path("admin").path("probes").path("address").asText())
        .isEqualTo("0.0.0.0:0");
  }
}
