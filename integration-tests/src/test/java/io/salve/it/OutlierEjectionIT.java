package io.salve.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import io.salve.it.support.LoopbackWireMock;
import io.salve.it.support.SalveHttp;
import io.salve.it.support.SalveProcess;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 4, outlier ejection: of three endpoints, the one that resets every connection is ejected
 * after {@code consecutiveFailures} failures while the other two keep serving; retries to another
 * endpoint hide every failure from the client, and once ejected it gets no request at all.
 */
class OutlierEjectionIT {
  private WireMockServer bad;
  private WireMockServer good1;
  private WireMockServer good2;
  private SalveProcess salve;

  @BeforeEach
  void start() throws Exception {
    bad = LoopbackWireMock.start();
    good1 = LoopbackWireMock.start();
    good2 = LoopbackWireMock.start();
    bad.stubFor(any(anyUrl()).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    good1.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("good1")));
    good2.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("good2")));
    String yaml =
        """
        admin: { address: 127.0.0.1:0 }
        listeners:
          - name: egress
            address: 127.0.0.1:0
            routes:
              - { match: { pathPrefix: / }, upstream: pool }
        upstreams:
          pool:
            endpoints: [127.0.0.1:%d, 127.0.0.1:%d, 127.0.0.1:%d]
            outlierDetection: { consecutiveFailures: 3, baseEjectionTime: 30s, maxEjectionPercent: 50 }
            retry: { maxAttempts: 2, retryOn: [reset, connect-failure, 5xx] }
        """
            .formatted(bad.port(), good1.port(), good2.port());
    salve = SalveProcess.start(yaml);
  }

  @AfterEach
  void stop() throws Exception {
    LoopbackWireMock.stopAll(salve, bad, good1, good2);
  }

  @Test
  void theResettingEndpointIsEjectedWhileTheOthersServeWithoutAClientVisibleError() throws Exception {
    SalveHttp http = new SalveHttp(salve, "egress");
    String badKey = "127.0.0.1:" + bad.port();

    int retried = 0;
    for (int i = 0; i < 20 && received(bad) < 3; i++) {
      HttpResponse<String> r = http.get("/item/" + i);
      assertThat(r.statusCode()).as("request %d while the bad endpoint is still in rotation", i).isEqualTo(200);
      assertThat(r.body()).isIn("good1", "good2");
      if (r.headers().firstValue("x-salve-attempts").orElseThrow().equals("2")) {
        retried++;
      }
    }
    assertThat(received(bad)).as("failures the bad endpoint took before ejection").isEqualTo(3);
    assertThat(retried).as("requests whose first attempt failed on the bad endpoint and were retried").isEqualTo(3);

    assertThat(http.endpointState("pool", badKey).path("ejected").asBoolean()).isTrue();
    assertThat(http.endpointState("pool", badKey).path("ejections").asInt()).isEqualTo(1);
    assertThat(http.endpointState("pool", "127.0.0.1:" + good1.port()).path("ejected").asBoolean()).isFalse();
    assertThat(http.endpointState("pool", "127.0.0.1:" + good2.port()).path("ejected").asBoolean()).isFalse();
    assertThat(http.metric("salve_endpoint_ejected", Map.of("upstream", "pool", "endpoint", badKey))).hasValue(1.0);
    assertThat(http.metric("salve_endpoint_ejected", Map.of("upstream", "pool", "endpoint", "127.0.0.1:" + good1.port())))
        .hasValue(0.0);

    int goodBefore = received(good1) + received(good2);
    for (int i = 0; i < 30; i++) {
      HttpResponse<String> r = http.get("/after/" + i);
      assertThat(r.statusCode()).as("request %d after the ejection", i).isEqualTo(200);
      assertThat(r.headers().firstValue("x-salve-attempts")).as("request %d after the ejection", i).hasValue("1");
    }
    assertThat(received(bad)).as("requests sent to the ejected endpoint").isEqualTo(3);
    assertThat(received(good1) + received(good2) - goodBefore).isEqualTo(30);
    assertThat(received(good1)).isPositive();
    assertThat(received(good2)).isPositive();
    assertThat(salve.stderr()).contains("endpoint " + badKey + " ejected");
  }

  private static int received(WireMockServer server) {
    return server.findAll(anyRequestedFor(anyUrl())).size();
  }
}
