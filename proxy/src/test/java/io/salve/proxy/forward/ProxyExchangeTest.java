package io.salve.proxy.forward;

import static io.salve.proxy.forward.ExchangeHarness.get;
import static io.salve.proxy.forward.ExchangeHarness.lastPart;
import static io.salve.proxy.forward.ExchangeHarness.part;
import static io.salve.proxy.forward.ExchangeHarness.put;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.salve.proxy.tls.UpstreamTlsException;
import io.salve.proxy.upstream.UpstreamTestAccess;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The exchange's specification: one request's trip from the client side through the attempt loop to
 * an upstream stream and back, with every way it can end. No sockets: the client is an
 * {@code EmbeddedChannel}, the upstream a scripted stream, time a fake ticker.
 */
class ProxyExchangeTest {
  private static final String YAML =
      """
      listeners:
        - name: ingress
          address: 127.0.0.1:0
          routes:
            - match: { pathPrefix: /slow }
              upstream: app
              timeout: 2s
            - match: { pathPrefix: /retry }
              upstream: retrying
            - match: { pathPrefix: /small }
              upstream: app
              maxRequestBody: 4
            - match: { pathPrefix: /fragile }
              upstream: fragile
            - match: { pathPrefix: /narrow }
              upstream: narrow
            - match: { pathPrefix: / }
              upstream: app
      upstreams:
        app:
          endpoints: [127.0.0.1:7001]
          retry: { maxAttempts: 1 }
        retrying:
          endpoints: [127.0.0.1:7002, 127.0.0.1:7003]
          retry:
            maxAttempts: 3
            retryOn: [connect-failure, reset, timeout, 503]
            backoff: { initial: 10ms, max: 10ms, multiplier: 1.0, jitter: none }
            perTryTimeout: 1s
        fragile:
          endpoints: [127.0.0.1:7004]
          circuitBreaker: { failureThreshold: 1, openDuration: 30s }
          retry: { maxAttempts: 1 }
        narrow:
          endpoints: [127.0.0.1:7005]
          maxConcurrentRequests: 1
          retry: { maxAttempts: 1 }
      """;

  private final ExchangeHarness h = new ExchangeHarness(YAML);
  private final FakeUpstreamSide up = h.upstreamSide;

  @AfterEach
  void tearDown() {
    h.close();
  }

  private static int inFlight(FakeUpstreamSide.Stream s) {
    return s.endpoint.inFlight().get();
  }

  @Test
  void happyPath_theRequestGoesUpAndTheResponseComesBackWithSalvesFields() {
    ExchangeHarness.Client c = h.connect();
    c.send(get("/items?page=2"));

    FakeUpstreamSide.Stream s = up.last();
    assertThat(s.head().uri()).isEqualTo("/items?page=2");
    assertThat(s.head().headers().get("x-forwarded-for")).isNotNull();
    assertThat(inFlight(s)).isEqualTo(1);

    s.respond(200, "hello");

    HttpResponse head = c.head();
    assertThat(head.status().code()).isEqualTo(200);
    assertThat(head.headers().get("x-salve-upstream")).isEqualTo("app");
    assertThat(head.headers().get("x-salve-attempts")).isEqualTo("1");
    assertThat(c.body()).isEqualTo("hello");
    assertThat(c.isOpen()).isTrue();
    assertThat(s.releases).isEqualTo(1);
    assertThat(s.reusable).as("full request sent, full response read").isTrue();
    assertThat(inFlight(s)).isZero();
    ExchangeRecord r = h.lastRecord();
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.attempts()).isEqualTo(1);
    assertThat(r.bytesOut()).isEqualTo(5);
    assertThat(r.error()).isNull();
    assertThat(r.epochMillis()).as("from the injected clock").isEqualTo(1767323045000L);
    assertThat(h.attemptOutcomes).containsExactly("2xx");
  }

  @Test
  void durations_areMeasuredWithTheInjectedTicker() {
    ExchangeHarness.Client c = h.connect();
    c.send(get("/"));
    h.advance(Duration.ofMillis(250));
    up.last().respond(200, "");
    assertThat(h.lastRecord().durationNanos()).isEqualTo(Duration.ofMillis(250).toNanos());
  }

  @Test
  void requestBody_isReadOnlyAsFastAsTheUpstreamTakesIt() {
    up.startUnwritable = true;
    ExchangeHarness.Client c = h.connect();
    int readsBefore = c.reads;
    c.send(put("/items", 6));
    FakeUpstreamSide.Stream s = up.last();
    assertThat(c.reads).as("no body is asked for while the upstream cannot take it").isEqualTo(readsBefore);

    s.becomeWritable();
    assertThat(c.reads).isEqualTo(readsBefore + 1);
    c.send(part("abc"));
    assertThat(c.reads).as("writable: the next part is asked for").isEqualTo(readsBefore + 2);
    s.writable = false;
    c.send(part("de"));
    assertThat(c.reads).as("unwritable after this part: wait").isEqualTo(readsBefore + 2);
    s.becomeWritable();
    c.send(lastPart("f"));
    assertThat(s.body()).isEqualTo("abcdef");
    assertThat(s.written.get(s.written.size() - 1)).isInstanceOf(LastHttpContent.class);

    s.respond(201, "");
    assertThat(c.head().status().code()).isEqualTo(201);
    assertThat(h.lastRecord().bytesIn()).isEqualTo(6);
  }

  @Test
  void responseBody_pausesTheUpstreamWhileTheClientCannotTakeMore() {
    ExchangeHarness.Client c = h.connect();
    c.send(get("/"));
    FakeUpstreamSide.Stream s = up.last();
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 4);
    s.send(head);
    c.setWritable(false);
    assertThat(s.autoRead).isFalse();
    s.send(part("ab"));
    c.setWritable(true);
    assertThat(s.autoRead).isTrue();
    s.send(lastPart("cd"));
    assertThat(c.body()).isEqualTo("abcd");
    assertThat(s.reusable).isTrue();
  }

  @Test
  void connectFailure_answers502AndNeverReachedTheUpstream() {
    up.failNext(new ConnectException("refused"));
    ExchangeHarness.Client c = h.connect();
    c.send(get("/"));

    HttpResponse head = c.head();
    assertThat(head.status().code()).isEqualTo(502);
    assertThat(head.headers().get(ErrorResponses.X_SALVE_ERROR)).isEqualTo("upstream_connect_failure");
    assertThat(head.headers().get("x-salve-attempts")).isEqualTo("1");
    assertThat(c.body()).contains("\"error\":\"upstream_connect_failure\"");
    assertThat(h.attemptOutcomes).containsExactly("connect_failure");
    assertThat(h.upstream("app").endpoints().get(0).inFlight().get()).isZero();
    assertThat(c.isOpen()).as("a bodiless keep-alive request keeps its connection").isTrue();
  }

  @Test
  void tlsHandshakeFailure_answers502UpstreamTlsErrorJudgedAsAConnectFailure() {
    up.failNext(new UpstreamTlsException(new SSLHandshakeException("bad certificate")));
    ExchangeHarness.Client c = h.connect();
    c.send(get("/"));

    assertThat(c.head().status().code()).isEqualTo(502);
    assertThat(c.head().headers().get(ErrorResponses.X_SALVE_ERROR)).isEqualTo("upstream_tls_error");
    assertThat(h.attemptOutcomes).containsExactly("tls_error");
    assertThat(h.lastRecord().error()).isEqualTo("upstream_tls_error");
  }

  @Test
  void tlsAlertAfterTheHandshake_isATlsFailureNotAMalformedResponse() {
    ExchangeHarness.Client c = h.connect();
    c.send(get("/"));
    FakeUpstreamSide.Stream s = up.last();
    s.listener.onUpstreamError(new DecoderException(new SSLException("certificate_required")));

    assertThat(c.head().status().code()).isEqualTo(502);
    assertThat(c.head().headers().get(ErrorResponses.X_SALVE_ERROR)).isEqualTo("upstream_tls_error");
    assertThat(s.reusable).isFalse();
  }

  @Test
  void poolExhausted_answers503Overloaded() {
    up.failNext(UpstreamTestAccess.poolExhausted());
    ExchangeHarness.Client c = h.connect();
    c.send(get("/"));
    assertThat(c.head().status().code()).isEqualTo(503);
    assertThat(c.head().headers().get(ErrorResponses.X_SALVE_ERROR)).isEqualTo("overloaded");
  }

  @Test
  void reset_beforeTheResponse_answers502AndClosesTheStream() {
    ExchangeHarness.Client c = h.connect();
    c.send(get("/"));
    FakeUpstreamSide.Stream s = up.last();
    s.listener.onUpstreamClosed();

    assertThat(c.head().status().code()).isEqualTo(502);
    assertThat(c.head().headers().get(ErrorResponses.X_SALVE_ERROR)).isEqualTo("upstream_reset");
    assertThat(s.releases).isEqualTo(1);
    assertThat(s.reusable).isFalse();
    assertThat(h.lastRecord().error()).isEqualTo("upstream_reset");
  }

  @Test
  void routeTimeout_answers504WhenTheDeadlinePasses() {
    ExchangeHarness.Client c = h.connect();
    c.send(get("/slow"));
    FakeUpstreamSide.Stream s = up.last();
    h.advance(Duration.ofMillis(1999));
    assertThat(c.responseComplete()).isFalse();

    h.advance(Duration.ofMillis(1));
    assertThat(c.head().status().code()).isEqualTo(504);
    assertThat(c.head().headers().get(ErrorResponses.X_SALVE_ERROR)).isEqualTo("upstream_timeout");
    assertThat(h.attemptOutcomes).containsExactly("timeout");
    assertThat(s.reusable).isFalse();
    assertThat(inFlight(s)).isZero();
  }

  @Test
  void upstreamIdle_answers504() {
    ExchangeHarness.Client c = h.connect();
    c.send(get("/"));
    up.last().listener.onUpstreamIdle();
    assertThat(c.head().status().code()).isEqualTo(504);
  }

  @Test
  void protocolError_aMalformedResponseAnswers502() {
    ExchangeHarness.Client c = h.connect();
    c.send(get("/"));
    HttpResponse bad = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    bad.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("bad header")));
    up.last().send(bad);

    assertThat(c.head().status().code()).isEqualTo(502);
    assertThat(c.head().headers().get(ErrorResponses.X_SALVE_ERROR)).isEqualTo("upstream_protocol_error");
    assertThat(h.attemptOutcomes).containsExactly("protocol_error");
  }

  @Test
  void protocolError_anUpgradeIsRefused() {
    ExchangeHarness.Client c = h.connect();
    c.send(get("/"));
    up.last().send(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS));
    assertThat(c.head().status().code()).isEqualTo(502);
  }

  @Test
  void circuitOpen_answers503WithRetryAfterAndNeverOpensAStream() {
    ExchangeHarness.Client c = h.connect();
    c.send(get("/fragile"));
    up.last().listener.onUpstreamClosed(); // one failure opens this breaker
    assertThat(c.head().status().code()).isEqualTo(502);
    c.clear();
    int opened = up.opened.size();

    c.send(get("/fragile"));
    HttpResponse head = c.head();
    assertThat(head.status().code()).isEqualTo(503);
    assertThat(head.headers().get(ErrorResponses.X_SALVE_ERROR)).isEqualTo("circuit_open");
    assertThat(head.headers().getInt(HttpHeaderNames.RETRY_AFTER)).isBetween(1, 30);
    assertThat(head.headers().get("x-salve-attempts")).isEqualTo("0");
    assertThat(up.opened).hasSize(opened);
    assertThat(h.rejections).containsExactly("circuit_open");
  }

  @Test
  void overloaded_theBulkheadRefusesBeyondItsLimit() {
    ExchangeHarness.Client first = h.connect();
    first.send(get("/narrow"));
    ExchangeHarness.Client second = h.connect();
    second.send(get("/narrow"));

    assertThat(second.head().status().code()).isEqualTo(503);
    assertThat(second.head().headers().get(ErrorResponses.X_SALVE_ERROR)).isEqualTo("overloaded");
    assertThat(h.rejections).containsExactly("overloaded");

    up.last().respond(200, "");
    assertThat(first.head().status().code()).isEqualTo(200);
    assertThat(h.upstream("narrow").bulkhead().inFlight()).isZero();
  }

  @Test
  void noEndpoint_answers503WithTheReason() {
    ExchangeHarness empty =
        new ExchangeHarness(
            """
            listeners:
              - name: ingress
                address: 127.0.0.1:0
                routes:
                  - match: { pathPrefix: / }
                    upstream: leased
            upstreams:
              leased:
                leases: {}
            """);
    try {
      ExchangeHarness.Client c = empty.connect();
      c.send(get("/"));
      assertThat(c.head().status().code()).isEqualTo(503);
      assertThat(c.head().headers().get(ErrorResponses.X_SALVE_ERROR)).isEqualTo("no_healthy_endpoint");
      assertThat(c.body()).contains("upstream has no endpoint");
      assertThat(empty.upstreamSide.opened).isEmpty();
      assertThat(c.isOpen()).isTrue();
    } finally {
      empty.close();
    }
  }

  @Test
  void payloadTooLarge_aChunkedBodyPastTheLimitAnswers413AndCloses() {
    ExchangeHarness.Client c = h.connect();
    HttpRequest chunked = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/small");
    chunked.headers().set(HttpHeaderNames.HOST, "app.test").set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
    c.send(chunked);
    FakeUpstreamSide.Stream s = up.last();
    c.send(part("abc"));
    assertThat(c.responseComplete()).isFalse();
    c.send(part("de"));

    assertThat(c.head().status().code()).isEqualTo(413);
    assertThat(c.head().headers().get(ErrorResponses.X_SALVE_ERROR)).isEqualTo("payload_too_large");
    assertThat(s.reusable).isFalse();
    assertThat(s.body()).isEqualTo("abc");
    assertThat(c.isOpen()).as("the rest of the body is never read").isFalse();
  }

  @Test
  void retry_replaysTheBodyOnTheNextEndpointAfterAReset() {
    ExchangeHarness.Client c = h.connect();
    c.send(put("/retry", 5));
    FakeUpstreamSide.Stream first = up.last();
    c.send(lastPart("hello"));
    assertThat(first.body()).isEqualTo("hello");

    first.listener.onUpstreamClosed();
    assertThat(h.retries).containsExactly("reset");
    assertThat(up.opened).hasSize(1);
    h.advance(Duration.ofMillis(10));

    FakeUpstreamSide.Stream second = up.last();
    assertThat(second).isNotSameAs(first);
    assertThat(second.endpoint).as("the retry avoids the endpoint that failed").isNotEqualTo(first.endpoint);
    assertThat(second.body()).isEqualTo("hello");
    second.respond(200, "ok");

    assertThat(c.head().headers().get("x-salve-attempts")).isEqualTo("2");
    assertThat(c.body()).isEqualTo("ok");
    assertThat(h.attemptOutcomes).containsExactly("reset", "2xx");
    assertThat(first.reusable).isFalse();
    assertThat(second.reusable).isTrue();
  }

  @Test
  void retry_on503_dropsThatResponseAndTriesAgain() {
    ExchangeHarness.Client c = h.connect();
    c.send(get("/retry"));
    up.last().respond(503, "busy");
    assertThat(c.responseComplete()).as("received %s", c.received).isFalse();
    h.advance(Duration.ofMillis(10));
    up.last().respond(200, "fine");
    assertThat(c.head().status().code()).isEqualTo(200);
    assertThat(c.body()).isEqualTo("fine");
    assertThat(h.attemptOutcomes).containsExactly("5xx", "2xx");
  }

  @Test
  void retry_perTryTimeoutEndsTheAttemptAndTheNextOneAnswers() {
    ExchangeHarness.Client c = h.connect();
    c.send(get("/retry"));
    FakeUpstreamSide.Stream first = up.last();
    h.advance(Duration.ofSeconds(1));
    assertThat(first.released()).isTrue();
    h.advance(Duration.ofMillis(10));
    up.last().respond(200, "");
    assertThat(h.attemptOutcomes).containsExactly("timeout", "2xx");
    assertThat(h.lastRecord().attempts()).isEqualTo(2);
  }

  @Test
  void retry_givesUpAfterMaxAttemptsWithTheLastFailure() {
    ExchangeHarness.Client c = h.connect();
    c.send(get("/retry"));
    for (int i = 0; i < 3; i++) {
      up.last().listener.onUpstreamClosed();
      h.advance(Duration.ofMillis(10));
    }
    assertThat(c.head().status().code()).isEqualTo(502);
    assertThat(c.head().headers().get("x-salve-attempts")).isEqualTo("3");
    assertThat(up.opened).hasSize(3);
  }

  @Test
  void retry_aStreamThatOpensAfterItsAttemptWasAbandonedIsGivenBackUnused() {
    up.delayNext();
    ExchangeHarness.Client c = h.connect();
    c.send(get("/retry"));
    FakeUpstreamSide.Stream late = up.last();
    h.advance(Duration.ofSeconds(1)); // per-try timeout while connecting
    h.advance(Duration.ofMillis(10));
    up.completePending();
    assertThat(late.releases).isEqualTo(1);
    assertThat(late.reusable).as("never used: fit for the pool").isTrue();
    assertThat(late.written).isEmpty();
    up.last().respond(200, "");
    assertThat(c.head().status().code()).isEqualTo(200);
  }

  @Test
  void clientAbortMidBody_closesTheStreamAndRecords499() {
    ExchangeHarness.Client c = h.connect();
    c.send(put("/", 10));
    FakeUpstreamSide.Stream s = up.last();
    c.send(part("12345"));
    c.channel.close();

    assertThat(s.releases).isEqualTo(1);
    assertThat(s.reusable).isFalse();
    assertThat(inFlight(s)).isZero();
    ExchangeRecord r = h.lastRecord();
    assertThat(r.status()).isEqualTo(499);
    assertThat(r.error()).isEqualTo("client_closed");
    assertThat(r.bytesIn()).isEqualTo(5);
    assertThat(h.records).hasSize(1);
  }

  @Test
  void upstreamAbortMidResponse_cutsTheClientOff() {
    ExchangeHarness.Client c = h.connect();
    c.send(get("/retry")); // a retry policy changes nothing once the response started
    FakeUpstreamSide.Stream s = up.last();
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 10);
    s.send(head);
    s.send(part("12345"));
    s.listener.onUpstreamClosed();

    assertThat(c.head().status().code()).isEqualTo(200);
    assertThat(c.body()).isEqualTo("12345");
    assertThat(c.isOpen()).isFalse();
    assertThat(up.opened).hasSize(1);
    ExchangeRecord r = h.lastRecord();
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.error()).isEqualTo("upstream_reset");
  }

  @Test
  void informationalResponses_passBeforeTheFinalOne() {
    ExchangeHarness.Client c = h.connect();
    c.send(get("/"));
    FakeUpstreamSide.Stream s = up.last();
    s.send(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(103)));
    s.send(LastHttpContent.EMPTY_LAST_CONTENT);
    s.respond(200, "x");
    c.drain();
    assertThat(((HttpResponse) c.received.get(0)).status().code()).isEqualTo(103);
    assertThat(c.head().status().code()).isEqualTo(200);
    assertThat(c.body()).isEqualTo("x");
  }

  @Test
  void drain_responsesCloseTheirConnections() {
    ExchangeHarness.Client c = h.connect();
    c.send(get("/"));
    h.draining = true;
    up.last().respond(200, "bye");
    assertThat(c.head().headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
    assertThat(c.isOpen()).isFalse();
  }

  @Test
  void drain_anIdleConnectionClosesAtOnceAndABusyOneAfterItsResponse() {
    ExchangeHarness.Client idle = h.connect();
    ExchangeHarness.Client busy = h.connect();
    busy.send(get("/"));
    h.draining = true;
    idle.channel.pipeline().fireUserEventTriggered(io.salve.proxy.transport.DrainEvent.INSTANCE);
    busy.channel.pipeline().fireUserEventTriggered(io.salve.proxy.transport.DrainEvent.INSTANCE);
    assertThat(idle.isOpen()).isFalse();
    assertThat(busy.isOpen()).isTrue();
    up.last().respond(200, "");
    assertThat(busy.head().status().code()).isEqualTo(200);
    assertThat(busy.isOpen()).isFalse();
  }

  @Test
  void malformedRequestBody_afterTheHeadWentUp_answers400AndTheUpstreamNeverSeesAnEnd() {
    ExchangeHarness.Client c = h.connect();
    c.send(put("/", 10));
    FakeUpstreamSide.Stream s = up.last();
    LastHttpContent broken = new DefaultLastHttpContent(Unpooled.copiedBuffer("zz", StandardCharsets.UTF_8));
    broken.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("bad chunk")));
    c.send(broken);
    assertThat(c.head().status().code()).isEqualTo(400);
    assertThat(s.reusable).isFalse();
    assertThat(s.written).noneMatch(o -> o instanceof LastHttpContent);
    assertThat(c.isOpen()).isFalse();
  }
}
