package io.salve.proxy.forward;

import static io.salve.proxy.forward.ExchangeHarness.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.salve.proxy.route.Route;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The receiver's specification: one request at a time per connection, checked and routed at its
 * head; what cannot be forwarded is answered here and never reaches an upstream.
 */
class ClientRequestReceiverTest {
  private static final String YAML =
      """
      listeners:
        - name: ingress
          address: 127.0.0.1:0
          routes:
            - match: { pathPrefix: /api }
              upstream: app
            - match: { pathPrefix: /busy }
              upstream: app
      upstreams:
        app:
          endpoints: [127.0.0.1:7001]
          retry: { maxAttempts: 1 }
      """;

  /** Sheds everything under /busy. */
  private static final AdmissionControl SHED_BUSY =
      new AdmissionControl() {
        @Override
        public Permit tryAdmit(String listener, Route route) {
          return route.config().match().pathPrefix().equals("/busy") ? null : (s, d) -> {};
        }

        @Override
        public long retryAfterSeconds() {
          return 7;
        }
      };

  private final ExchangeHarness h = new ExchangeHarness(YAML, SHED_BUSY);
  private final FakeUpstreamSide up = h.upstreamSide;

  @AfterEach
  void tearDown() {
    h.close();
  }

  @Test
  void channelActive_asksForTheFirstRequest() {
    ExchangeHarness.Client c = h.connect();
    assertThat(c.reads).isEqualTo(1);
  }

  @Test
  void missingHost_answers400AndCloses() {
    ExchangeHarness.Client c = h.connect();
    c.send(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/api"));
    HttpResponse head = c.head();
    assertThat(head.status().code()).isEqualTo(400);
    assertThat(head.headers().get(ErrorResponses.X_SALVE_ERROR)).isEqualTo("bad_request");
    assertThat(c.isOpen()).isFalse();
    assertThat(up.opened).isEmpty();
    assertThat(h.lastRecord().status()).isEqualTo(400);
  }

  @Test
  void noRoute_answers404AndKeepsTheConnectionForTheNextRequest() {
    ExchangeHarness.Client c = h.connect();
    c.send(get("/elsewhere"));
    assertThat(c.head().status().code()).isEqualTo(404);
    assertThat(c.head().headers().get(ErrorResponses.X_SALVE_ERROR)).isEqualTo("no_route");
    assertThat(c.isOpen()).isTrue();
    c.clear();

    c.send(get("/api/x"));
    up.last().respond(200, "ok");
    assertThat(c.head().status().code()).isEqualTo(200);
  }

  @Test
  void rejected_isRecordedWithTheInjectedClockAndTicker() {
    ExchangeHarness.Client c = h.connect();
    c.send(get("/elsewhere"));
    ExchangeRecord r = h.lastRecord();
    assertThat(r.epochMillis()).isEqualTo(1767323045000L);
    assertThat(r.durationNanos()).isZero();
    assertThat(r.error()).isEqualTo("no_route");
  }

  @Test
  void shed_answers503WithRetryAfterWithoutReachingTheUpstream() {
    ExchangeHarness.Client c = h.connect();
    c.send(get("/busy"));
    HttpResponse head = c.head();
    assertThat(head.status().code()).isEqualTo(503);
    assertThat(head.headers().get(ErrorResponses.X_SALVE_ERROR)).isEqualTo("shed");
    assertThat(head.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("7");
    assertThat(up.opened).isEmpty();
    assertThat(c.isOpen()).isTrue();
  }

  @Test
  void pipelinedRequests_theNextIsReadOnlyAfterTheCurrentExchangeEnds() {
    ExchangeHarness.Client c = h.connect();
    c.send(get("/api/1"));
    int reads = c.reads;
    assertThat(up.opened).hasSize(1);

    up.last().respond(200, "one");
    assertThat(c.reads).as("the answer is out: the next request is asked for").isEqualTo(reads + 1);
    c.clear();
    c.send(get("/api/2"));
    assertThat(up.opened).hasSize(2);
    assertThat(up.last().head().uri()).isEqualTo("/api/2");
  }

  @Test
  void requestHead_isRewrittenForTheUpstream() {
    ExchangeHarness.Client c = h.connect();
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "http://app.test/api/x?q=1");
    r.headers().set(HttpHeaderNames.HOST, "ignored.test").set(HttpHeaderNames.CONNECTION, "keep-alive, x-drop").set("x-drop", "1");
    c.send(r);
    HttpRequest sent = up.last().head();
    assertThat(sent.uri()).isEqualTo("/api/x?q=1");
    assertThat(sent.headers().get(HttpHeaderNames.HOST)).isEqualTo("app.test");
    assertThat(sent.headers().contains("x-drop")).isFalse();
    assertThat(sent.headers().contains(HttpHeaderNames.CONNECTION)).isFalse();
    assertThat(sent.headers().get("x-request-id")).hasSize(32);
  }

  @Test
  void requestIds_comeFromTheInjectedRandomSource() {
    ExchangeHarness other = new ExchangeHarness(YAML, SHED_BUSY);
    try {
      h.connect().send(get("/api/x"));
      other.connect().send(get("/api/x"));
      assertThat(up.last().head().headers().get("x-request-id"))
          .isEqualTo(other.upstreamSide.last().head().headers().get("x-request-id"));
    } finally {
      other.close();
    }
  }

  @Test
  void drainEvent_closesAnIdleConnectionAtOnce() {
    ExchangeHarness.Client c = h.connect();
    c.channel.pipeline().fireUserEventTriggered(io.salve.proxy.transport.DrainEvent.INSTANCE);
    assertThat(c.isOpen()).isFalse();
  }

  @Test
  void clientIoError_closesTheConnection() {
    ExchangeHarness.Client c = h.connect();
    c.channel.pipeline().fireExceptionCaught(new IOException("connection reset by peer"));
    assertThat(c.isOpen()).isFalse();
  }
}
