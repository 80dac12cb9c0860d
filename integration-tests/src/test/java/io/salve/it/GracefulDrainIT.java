package io.salve.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.salve.it.support.RawHttp;
import io.salve.it.support.SalveProcess;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM drains: the listener stops accepting at once, idle keep-alive connections close, /ready
 * turns 503, a request in flight still gets its full response, and the process exits 0 after a last
 * log line that says how many requests were drained in how long (or cut off at the drain timeout).
 */
class GracefulDrainIT {
  private static final int UPSTREAM_DELAY_MS = 2500;

  @Test
  void sigtermLetsTheRequestInFlightFinishThenExitsZero() throws Exception {
    WireMockServer upstream = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    upstream.start();
    upstream.stubFor(get(urlEqualTo("/fast")).willReturn(aResponse().withStatus(200).withBody("fast")));
    upstream.stubFor(
        get(urlEqualTo("/slow")).willReturn(aResponse().withStatus(200).withFixedDelay(UPSTREAM_DELAY_MS).withBody("done")));
    String yaml =
        """
        drainTimeout: 10s
        admin: { address: 127.0.0.1:0 }
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
    try (SalveProcess salve = SalveProcess.start(yaml);
        RawHttp idle = RawHttp.connect(salve.port("egress"));
        RawHttp busy = RawHttp.connect(salve.port("egress"))) {
      int port = salve.port("egress");
      assertThat(idle.request("GET", "/fast").readResponse().status()).isEqualTo(200); // now idle, kept alive

      busy.request("GET", "/slow");
      CompletableFuture<RawHttp.Response> slow =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return busy.readResponse();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> upstream.findAll(getRequestedFor(urlEqualTo("/slow"))).size() == 1);

      salve.terminate(); // SIGTERM while /slow is in flight

      await()
          .atMost(Duration.ofMillis(UPSTREAM_DELAY_MS - 500))
          .pollInterval(Duration.ofMillis(25))
          .untilAsserted(
              () ->
                  assertThatThrownBy(
                          () -> {
                            try (Socket s = new Socket()) {
                              s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                            }
                          })
                      .isInstanceOf(ConnectException.class));
      assertThat(idle.closedByPeerWithin(Duration.ofSeconds(1))).as("the idle keep-alive connection is closed").isTrue();
      HttpResponse<String> ready =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + salve.adminPort() + "/ready")).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(ready.statusCode()).as("readiness while draining").isEqualTo(503);
      assertThat(ready.body()).contains("draining");
      assertThat(slow).as("the slow response is still on its way").isNotDone();
      assertThat(salve.process().isAlive()).as("salve waits for the request in flight").isTrue();

      RawHttp.Response r = slow.get(10, TimeUnit.SECONDS);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.bodyText()).isEqualTo("done");
      assertThat(r.header("x-salve-upstream")).isEqualTo("backend");
      assertThat(r.header("connection")).as("a draining salve closes the connection").isEqualToIgnoringCase("close");

      assertThat(salve.process().waitFor(15, TimeUnit.SECONDS)).as("salve exited").isTrue();
      assertThat(salve.process().exitValue()).isZero();
      assertThat(salve.stderr()).doesNotContain("drain timeout reached");
      assertThat(lastLine(salve.stderr())).as("the last log line").matches(".* drained 1 request in \\d+m?s, exiting");
      salve.assertNoLeaks();
    } finally {
      upstream.stop();
    }
  }

  @Test
  void aDrainTimeoutCutsTheRequestOffAndSaysSoOnTheLastLine() throws Exception {
    WireMockServer upstream = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    upstream.start();
    upstream.stubFor(
        get(urlEqualTo("/slow")).willReturn(aResponse().withStatus(200).withFixedDelay(UPSTREAM_DELAY_MS).withBody("done")));
    String yaml =
        """
        drainTimeout: 300ms
        admin: { address: 127.0.0.1:0 }
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
    try (SalveProcess salve = SalveProcess.start(yaml);
        RawHttp busy = RawHttp.connect(salve.port("egress"))) {
      busy.request("GET", "/slow");
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> upstream.findAll(getRequestedFor(urlEqualTo("/slow"))).size() == 1);

      salve.terminate();

      assertThat(salve.process().waitFor(UPSTREAM_DELAY_MS, TimeUnit.MILLISECONDS))
          .as("salve exits at the drain timeout, before the upstream answers")
          .isTrue();
      assertThat(salve.process().exitValue()).isZero();
      assertThat(busy.closedByPeerWithin(Duration.ofSeconds(1))).as("the cut-off connection is closed").isTrue();
      assertThat(lastLine(salve.stderr()))
          .as("the last log line")
          .matches(".* drain timeout reached: drained 0 requests in \\d+ms, closed 1 request still in flight, exiting");
      salve.assertNoLeaks();
    } finally {
      upstream.stop();
    }
  }

  private static String lastLine(String log) {
    String[] lines = log.strip().split("\n");
    return lines[lines.length - 1];
  }
}
