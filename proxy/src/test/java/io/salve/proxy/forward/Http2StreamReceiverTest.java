package io.salve.proxy.forward;

import static io.salve.proxy.forward.ExchangeHarness.get;
import static io.salve.proxy.forward.ExchangeHarness.part;
import static io.salve.proxy.forward.ExchangeHarness.put;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpHeaderNames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The receiver on an HTTP/2 stream ({@link ClientRequestReceiver#forStream}): one request, the same
 * checks, routing and exchange as HTTP/1.1, the stream's end instead of keep-alive, a reset (the
 * channel's close) instead of a closed connection.
 */
class Http2StreamReceiverTest {
  private static final String YAML =
      """
      listeners:
        - name: ingress
          address: 127.0.0.1:0
          routes:
            - match: { pathPrefix: /api }
              upstream: app
      upstreams:
        app:
          endpoints: [127.0.0.1:7001]
          retry: { maxAttempts: 1 }
      """;

  private final ExchangeHarness h = new ExchangeHarness(YAML);
  private final FakeUpstreamSide up = h.upstreamSide;

  @AfterEach
  void tearDown() {
    h.close();
  }

  @Test
  void aStreamCarriesOneExchange_andAsksForNothingAfterIt() {
    ExchangeHarness.Client c = h.openStream();
    c.send(get("/api/1"));
    up.last().respond(200, "one");
    int reads = c.reads;

    assertThat(c.head().status().code()).isEqualTo(200);
    assertThat(c.body()).isEqualTo("one");
    assertThat(c.reads).as("no next request on a stream").isEqualTo(reads);
    ExchangeRecord r = h.lastRecord();
    assertThat(r.protocol()).isEqualTo("HTTP/2.0");
    assertThat(r.status()).isEqualTo(200);
    assertThat(up.last().reusable).as("the upstream connection goes back to its pool").isTrue();
  }

  @Test
  void aRejectedRequestOnAStream_isAnsweredAndRecordedAsHttp2() {
    ExchangeHarness.Client c = h.openStream();
    c.send(get("/elsewhere"));

    assertThat(c.head().status().code()).isEqualTo(404);
    assertThat(h.lastRecord().protocol()).isEqualTo("HTTP/2.0");
    assertThat(up.opened).isEmpty();
  }

  @Test
  void anAnswerBeforeTheBodyEnds_resetsTheStream() {
    ExchangeHarness.Client c = h.openStream();
    c.send(put("/api/upload", 10));
    c.send(part("12345"));
    up.last().respond(200, "early");

    assertThat(c.head().status().code()).isEqualTo(200);
    assertThat(c.isOpen()).as("the stream is reset: the rest of the body is not read").isFalse();
    assertThat(up.last().reusable).isFalse();
  }

  @Test
  void aResetStream_endsTheExchangeAt499_andClosesTheUpstreamStream() {
    ExchangeHarness.Client c = h.openStream();
    c.send(put("/api/upload", 10));
    FakeUpstreamSide.Stream s = up.last();
    c.send(part("12345"));

    c.channel.close(); // RST_STREAM from the client: the child channel goes inactive

    assertThat(s.releases).isEqualTo(1);
    assertThat(s.reusable).isFalse();
    ExchangeRecord r = h.lastRecord();
    assertThat(r.status()).isEqualTo(499);
    assertThat(r.error()).isEqualTo("client_closed");
    assertThat(r.protocol()).isEqualTo("HTTP/2.0");
  }

  @Test
  void aMissingHost_is400() {
    ExchangeHarness.Client c = h.openStream();
    var req = get("/api/1");
    req.headers().remove(HttpHeaderNames.HOST);
    c.send(req);

    assertThat(c.head().status().code()).isEqualTo(400);
    assertThat(up.opened).isEmpty();
  }
}
