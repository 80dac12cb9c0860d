package io.salve.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.salve.it.support.SalveProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The shortest path through salve: one GET forwarded to one upstream and answered. */
class SmokeIT {
  @Test
  void forwardsAGetAndExitsCleanlyOnSigterm() throws Exception {
    WireMockServer upstream = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    upstream.start();
    try {
      upstream.stubFor(get("/hello").willReturn(aResponse().withStatus(200).withBody("hi")));
      String yaml =
          """
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
      try (SalveProcess salve = SalveProcess.start(yaml)) {
        HttpResponse<String> r =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + salve.port("egress") + "/hello")).build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("hi");
        assertThat(r.headers().firstValue("x-salve-upstream")).hasValue("backend");
        upstream.verify(1, getRequestedFor(urlEqualTo("/hello")));
      }
    } finally {
      upstream.stop();
    }
  }
}
