package io.salve.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.moreThanOrExactly;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.salve.it.support.Http.endpointState;
import static io.salve.it.support.Http.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.salve.it.support.SalveProcess;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The recovery webhook fires once per period while every endpoint stays unhealthy, and stops after. */
class RecoveryIT {
  private static final Duration POLL = Duration.ofMillis(50);

  @Test
  void callsTheWebhookOncePerPeriodWhileTheAppIsDownAndStopsWhenItRecovers() throws Exception {
    WireMockServer app = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    WireMockServer hooks = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    app.start();
    hooks.start();
    try {
      app.stubFor(get("/healthz").willReturn(aResponse().withStatus(500)));
      hooks.stubFor(post("/recover").willReturn(aResponse().withStatus(204)));
      String ep = "127.0.0.1:" + app.port();
      String yaml =
          """
          admin: { address: 127.0.0.1:0 }
          listeners:
            - name: egress
              address: 127.0.0.1:0
              routes:
                - match: { pathPrefix: / }
                  upstream: app
          upstreams:
            app:
              endpoints: [%s]
              healthCheck: { interval: 200ms, timeout: 500ms, unhealthyThreshold: 1, healthyThreshold: 1 }
              recovery: { after: 1s, webhook: "http://127.0.0.1:%d/recover" }
          """
              .formatted(ep, hooks.port());
      try (SalveProcess salve = SalveProcess.start(yaml)) {
        await().atMost(Duration.ofSeconds(5)).pollInterval(POLL).until(() -> webhookCalls(hooks) >= 1);
        // The next calls are due ~1s and ~2s after the first: 2 or 3 calls in 2.3s, never one per probe.
        await().during(Duration.ofMillis(2300)).atMost(Duration.ofSeconds(4)).pollInterval(POLL)
            .until(() -> webhookCalls(hooks) <= 3);
        assertThat(webhookCalls(hooks)).as("calls ~2.3s after the first").isBetween(2, 3);

        hooks.verify(
            moreThanOrExactly(2),
            postRequestedFor(urlEqualTo("/recover"))
                .withHeader("Content-Type", containing("application/json"))
                .withRequestBody(matchingJsonPath("$.upstream", equalTo("app")))
                .withRequestBody(matchingJsonPath("$.unhealthySince"))
                .withRequestBody(matchingJsonPath("$.endpoints[0].endpoint", equalTo(ep)))
                .withRequestBody(matchingJsonPath("$.endpoints[0].consecutiveFailures")));
        await().atMost(Duration.ofSeconds(2)).pollInterval(POLL)
            .until(() -> metric(salve.adminPort(), "salve_recovery_actions_total", "upstream=app", "result=success") >= 2.0);
        assertThat(metric(salve.adminPort(), "salve_recovery_actions_total", "upstream=app", "result=failure"))
            .isEqualTo(0.0);
        assertThat(salve.stderr()).contains("calling recovery webhook http://127.0.0.1:" + hooks.port() + "/recover");

        app.stubFor(get("/healthz").willReturn(aResponse().withStatus(200)));
        await().atMost(Duration.ofSeconds(3)).pollInterval(POLL)
            .until(() -> endpointState(salve.adminPort(), "app", ep).path("healthy").asBoolean());
        int settled = webhookCalls(hooks);
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).pollInterval(POLL)
            .until(() -> webhookCalls(hooks) == settled);
        assertThat(salve.stderr()).contains("upstream app recovered after");
      }
    } finally {
      app.stop();
      hooks.stop();
    }
  }

  @Test
  void countsAFailingWebhook() throws Exception {
    WireMockServer app = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    WireMockServer hooks = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    app.start();
    hooks.start();
    try {
      app.stubFor(get("/healthz").willReturn(aResponse().withStatus(500)));
      hooks.stubFor(post("/recover").willReturn(aResponse().withStatus(500)));
      String yaml =
          """
          admin: { address: 127.0.0.1:0 }
          listeners:
            - name: egress
              address: 127.0.0.1:0
              routes:
                - match: { pathPrefix: / }
                  upstream: app
          upstreams:
            app:
              endpoints: [127.0.0.1:%d]
              healthCheck: { interval: 200ms, unhealthyThreshold: 1 }
              recovery: { after: 500ms, webhook: "http://127.0.0.1:%d/recover" }
          """
              .formatted(app.port(), hooks.port());
      try (SalveProcess salve = SalveProcess.start(yaml)) {
        await().atMost(Duration.ofSeconds(5)).pollInterval(POLL)
            .until(() -> metric(salve.adminPort(), "salve_recovery_actions_total", "upstream=app", "result=failure") >= 1.0);
        assertThat(salve.stderr()).contains("/recover for upstream app answered 500");
      }
    } finally {
      app.stop();
      hooks.stop();
    }
  }

  private static int webhookCalls(WireMockServer hooks) {
    return hooks.countRequestsMatching(postRequestedFor(urlEqualTo("/recover")).build()).getCount();
  }
}
