package io.salve.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.salve.it.support.LoopbackWireMock;
import io.salve.it.support.SalveHttp;
import io.salve.it.support.SalveProcess;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 4, bulkhead: {@code maxConcurrentRequests} bounds the requests in flight to one upstream;
 * one more is refused at once with 503 {@code overloaded} and never reaches the upstream, while
 * other upstreams keep serving and the slots come back when the requests end.
 */
class BulkheadIT {
  private static WireMockServer wm;
  private static SalveProcess salve;
  private static SalveHttp http;

  @BeforeAll
  static void start() throws Exception {
    wm = LoopbackWireMock.start();
    String yaml =
        """
        admin: { address: 127.0.0.1:0 }
        listeners:
          - name: egress
            address: 127.0.0.1:0
            routes:
              - { name: bulk, match: { pathPrefix: /bulk }, upstream: bulk }
              - { name: other, match: { pathPrefix: /other }, upstream: other }
        upstreams:
          bulk:
            endpoints: [127.0.0.1:%1$d]
            maxConcurrentRequests: 2
          other:
            endpoints: [127.0.0.1:%1$d]
            maxConcurrentRequests: 2
        """
            .formatted(wm.port());
    salve = SalveProcess.start(yaml);
    http = new SalveHttp(salve, "egress");
  }

  @AfterAll
  static void stop() throws Exception {
    LoopbackWireMock.stopAll(salve, wm);
  }

  @Test
  void aThirdConcurrentRequestIsRefusedAsOverloaded() throws Exception {
    wm.stubFor(any(urlPathMatching("/bulk.*")).willReturn(aResponse().withStatus(200).withBody("slow").withFixedDelay(1_500)));
    wm.stubFor(any(urlPathMatching("/other.*")).willReturn(aResponse().withStatus(200).withBody("other")));

    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      calls.add(http.sendAsync(http.request("/bulk/" + i).GET()));
    }
    // While the bulkhead of `bulk` is full, another upstream's is untouched.
    HttpResponse<String> other = http.get("/other");
    assertThat(other.statusCode()).isEqualTo(200);
    assertThat(other.body()).isEqualTo("other");

    int ok = 0;
    int overloaded = 0;
    for (CompletableFuture<HttpResponse<String>> call : calls) {
      HttpResponse<String> r = call.join();
      if (r.statusCode() == 200) {
        assertThat(r.body()).isEqualTo("slow");
        ok++;
      } else {
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("x-salve-error")).hasValue("overloaded");
        assertThat(r.headers().firstValue("x-salve-attempts")).as("attempts made").hasValue("0");
        overloaded++;
      }
    }
    assertThat(ok).as("requests let through").isEqualTo(2);
    assertThat(overloaded).as("requests refused").isEqualTo(1);
    assertThat(wm.findAll(anyRequestedFor(urlPathMatching("/bulk.*")))).as("requests that reached the upstream").hasSize(2);
    assertThat(http.counter("salve_rejected_total", Map.of("upstream", "bulk", "reason", "overloaded"))).isEqualTo(1.0);
    assertThat(http.counter("salve_rejected_total", Map.of("upstream", "other", "reason", "overloaded"))).isZero();

    // The slots came back with the responses.
    assertThat(http.upstreamState("bulk").path("inFlight").asInt()).isZero();
    wm.stubFor(any(urlPathMatching("/bulk.*")).willReturn(aResponse().withStatus(200).withBody("fast")));
    assertThat(http.get("/bulk/after").statusCode()).isEqualTo(200);
  }
}
