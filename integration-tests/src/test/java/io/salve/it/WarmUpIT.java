package io.salve.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.salve.it.support.Http;
import io.salve.it.support.PrometheusText;
import io.salve.it.support.SalveProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The start-up warm-up ({@code --warm-up}, {@code salve.warmUp}): requests through salve's own
 * forwarding path on loopback before the listeners open, which no metric, access log line or
 * configured upstream sees.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WarmUpIT {
  private static final Pattern WARM_UP = Pattern.compile("warm-up: (\\d+) requests through the forwarding path");
  private WireMockServer upstream;
  private SalveProcess salve;

  @BeforeAll
  void start() throws Exception {
    upstream = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    upstream.start();
    upstream.stubFor(get("/hello").willReturn(aResponse().withStatus(200).withBody("hi")));
    String yaml =
        """
        admin: { address: 127.0.0.1:0 }
        accessLog: { enabled: true }
        listeners:
          - name: egress
            address: 127.0.0.1:0
            routes:
              - match: { pathPrefix: / }
                upstream: backend
        upstreams:
          backend:
            endpoints: [127.0.0.1:%d]
        """
            .formatted(upstream.port());
    salve = SalveProcess.start(yaml, 2, List.of("-Dsalve.warmUp=500ms"));
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (salve != null) {
        salve.close(); // SIGTERM; asserts exit code 0 and no leaked buffer, the warm-up's included
      }
    } finally {
      upstream.stop();
    }
  }

  @Test
  void warmsUpBeforeTheListenersOpen() throws Exception {
    String log = salve.stderr();
    Matcher m = WARM_UP.matcher(log);
    assertThat(m.find()).as("the warm-up line in:\n" + log).isTrue();
    assertThat(Long.parseLong(m.group(1))).isPositive();
    int warmUp = log.indexOf("warm-up: ");
    assertThat(warmUp).isLessThan(log.indexOf("listener egress bound to"));
    assertThat(log.indexOf("listener egress bound to")).isLessThan(log.indexOf("salve ready"));
  }

  @Test
  void warmUpRequestsReachNoMetricNoAccessLogAndNoConfiguredUpstream() throws Exception {
    assertThat(upstream.getAllServeEvents()).isEmpty();
    assertThat(salve.stdout()).doesNotContain("warm-up");

    assertThat(Http.get(salve.port("egress"), "/hello").statusCode()).isEqualTo(200);

    PrometheusText metrics = PrometheusText.parse(Http.get(salve.adminPort(), "/metrics").body());
    assertThat(metrics.samples()).noneMatch(s -> s.labels().containsValue("salve-warm-up"));
    assertThat(metrics.sum("salve_requests_total", Map.of())).isEqualTo(1.0);
    assertThat(metrics.sum("salve_requests_total", Map.of("listener", "egress", "code", "200"))).isEqualTo(1.0);
    // The one real request's access log line (written by a background thread within milliseconds).
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(salve.stdout()).contains("\"path\":\"/hello\""));
    assertThat(salve.stdout()).doesNotContain("warm-up");
  }

  @Test
  void anUnreadableWarmUpIsRefusedBeforeAnythingStarts() throws Exception {
    SalveProcess.Exit exit =
        SalveProcess.runToExit(Duration.ofSeconds(30), "--warm-up", "soon", "--config", salve.configFile().toString());
    assertThat(exit.code()).isEqualTo(2);
    assertThat(exit.stderr()).contains("--warm-up must be a duration such as 1s, 500ms or 0s");
  }
}
