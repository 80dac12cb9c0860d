package io.salve.proxy.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.salve.proxy.grpc.GrpcTimeout;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * gRPC calls through the exchange: salve's own answers are gRPC answers, a grpc-status in a
 * trailers-only head is retried and judged, one in the trailers is judged (never retried), and
 * grpc-timeout sets the deadline and reaches the upstream reduced by the time spent.
 */
class GrpcExchangeTest {
  private static final String YAML =
      """
      listeners:
        - name: ingress
          address: 127.0.0.1:0
          routes:
            - match: { pathPrefix: /fragile.Svc/ }
              upstream: fragile
            - match: { pathPrefix: /retry.Svc/ }
              upstream: retrying
            - match: { pathPrefix: /careful.Svc/ }
              upstream: careful
            - match: { pathPrefix: /ejecting.Svc/ }
              upstream: ejecting
            - match: { pathPrefix: /pertry.Svc/ }
              upstream: pertry
              timeout: 2s
            - match: { pathPrefix: /narrow.Svc/ }
              upstream: narrow
            - match: { pathPrefix: /slow.Svc/ }
              upstream: careful
              timeout: 2s
      upstreams:
        fragile:
          endpoints: [127.0.0.1:7004]
          circuitBreaker: { failureThreshold: 1, openDuration: 30s }
          retry: { maxAttempts: 1 }
        retrying:
          endpoints: [127.0.0.1:7002, 127.0.0.1:7003]
          retry:
            maxAttempts: 3
            retryOn: [unavailable, resource-exhausted]
            retryNonIdempotent: true
            backoff: { initial: 10ms, max: 10ms, multiplier: 1.0, jitter: none }
        pertry:
          endpoints: [127.0.0.1:7009]
          retry: { maxAttempts: 2, perTryTimeout: 300ms }
        careful:
          endpoints: [127.0.0.1:7005]
          retry: { maxAttempts: 3, retryOn: [unavailable], backoff: { initial: 10ms, max: 10ms, multiplier: 1.0, jitter: none } }
        ejecting:
          endpoints: [127.0.0.1:7007, 127.0.0.1:7008]
          outlierDetection: { consecutiveFailures: 1, maxEjectionPercent: 50 }
          retry: { maxAttempts: 1 }
        narrow:
          endpoints: [127.0.0.1:7006]
          maxConcurrentRequests: 1
          retry: { maxAttempts: 1 }
      """;

  private final ExchangeHarness h = new ExchangeHarness(YAML);
  private final FakeUpstreamSide up = h.upstreamSide;

  @AfterEach
  void tearDown() {
    h.close();
  }

  /** A unary call's head: POST, application/grpc, a 5-byte framed empty message as its body. */
  private static HttpRequest call(String path, String grpcTimeout) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path);
    r.headers().set(HttpHeaderNames.HOST, "app.test").set(HttpHeaderNames.CONTENT_TYPE, "application/grpc")
        .set("te", "trailers").setInt(HttpHeaderNames.CONTENT_LENGTH, 5);
    if (grpcTimeout != null) {
      r.headers().set("grpc-timeout", grpcTimeout);
    }
    return r;
  }

  private static LastHttpContent message() {
    return new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[5]));
  }

  private static void send(ExchangeHarness.Client c, String path, String grpcTimeout) {
    c.send(call(path, grpcTimeout));
    if (c.isOpen()) { // salve's own answer before the body closes an HTTP/1.1 connection
      c.send(message());
    }
  }

  /** The upstream answers trailers-only: 200 with grpc-status in the head and no body. */
  private static void trailersOnly(FakeUpstreamSide.Stream s, int grpcStatus) {
    HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/grpc").setInt("grpc-status", grpcStatus)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
    s.send(r);
    s.send(LastHttpContent.EMPTY_LAST_CONTENT);
  }

  /** The upstream answers with a message, then trailers carrying the status and custom metadata. */
  private static void withTrailers(FakeUpstreamSide.Stream s, int grpcStatus) {
    HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/grpc")
        .set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
    s.send(r);
    s.send(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 0, 1, 42})));
    LastHttpContent end = new DefaultLastHttpContent();
    end.trailingHeaders().setInt("grpc-status", grpcStatus).set("grpc-message", "boom").set("x-trace", "t1");
    s.send(end);
  }

  private static LastHttpContent trailers(ExchangeHarness.Client c) {
    c.drain();
    for (HttpObject o : c.received) {
      if (o instanceof LastHttpContent last) {
        return last;
      }
    }
    throw new AssertionError("no last part; received " + c.received);
  }

  private static void assertGrpcAnswer(HttpResponse head, int grpcStatus, String reason) {
    assertThat(head.status().code()).isEqualTo(200);
    assertThat(head.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/grpc");
    assertThat(head.headers().getInt("grpc-status")).isEqualTo(grpcStatus);
    assertThat(head.headers().get("grpc-message")).isNotEmpty();
    assertThat(head.headers().get(ErrorResponses.X_SALVE_ERROR)).isEqualTo(reason);
    assertThat(head.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isZero();
  }

  @Test
  void trailersOnlyFailure_countsForTheBreaker_whoseRefusalIsAGrpcAnswer() {
    ExchangeHarness.Client c = h.connect();
    send(c, "/fragile.Svc/Get", null);
    trailersOnly(up.last(), 14);
    assertThat(c.head().headers().getInt("grpc-status")).as("the upstream's answer passes").isEqualTo(14);
    assertThat(h.lastRecord().grpcStatus()).isEqualTo(14);
    int opened = up.opened.size();

    c = h.connect();
    send(c, "/fragile.Svc/Get", null);
    HttpResponse head = c.head();
    assertGrpcAnswer(head, 14, "circuit_open");
    assertThat(head.headers().get("grpc-message")).isEqualTo("upstream circuit is open");
    assertThat(c.body()).isEmpty();
    assertThat(up.opened).hasSize(opened);
    ExchangeRecord r = h.lastRecord();
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.grpcStatus()).isEqualTo(14);
    assertThat(r.error()).isEqualTo("circuit_open");
  }

  @Test
  void failureInTrailers_reachesTheClientAndCountsForTheBreaker() {
    ExchangeHarness.Client c = h.connect();
    send(c, "/fragile.Svc/Get", null);
    withTrailers(up.last(), 13);
    assertThat(c.head().status().code()).isEqualTo(200);
    LastHttpContent end = trailers(c);
    assertThat(end.trailingHeaders().getInt("grpc-status")).isEqualTo(13);
    assertThat(end.trailingHeaders().get("x-trace")).as("custom trailing metadata").isEqualTo("t1");
    assertThat(h.lastRecord().grpcStatus()).isEqualTo(13);
    assertThat(h.attemptOutcomes).containsExactly("grpc_internal");

    c = h.connect();
    send(c, "/fragile.Svc/Get", null);
    assertGrpcAnswer(c.head(), 14, "circuit_open");
  }

  @Test
  void applicationStatus_isASuccessForTheBreaker() {
    ExchangeHarness.Client c = h.connect();
    send(c, "/fragile.Svc/Get", null);
    withTrailers(up.last(), 5); // NOT_FOUND: the application's answer
    assertThat(trailers(c).trailingHeaders().getInt("grpc-status")).isEqualTo(5);
    c.clear();
    send(c, "/fragile.Svc/Get", null);
    trailersOnly(up.last(), 3); // INVALID_ARGUMENT
    c.clear();

    send(c, "/fragile.Svc/Get", null);
    withTrailers(up.last(), 0);
    assertThat(h.rejections).isEmpty();
    assertThat(h.attemptOutcomes).containsExactly("grpc_not_found", "grpc_invalid_argument", "2xx");
    assertThat(up.opened).hasSize(3);
  }

  @Test
  void aGrpcCallGoesUpstreamWithTeTrailers_otherRequestsWithoutTe() {
    ExchangeHarness.Client c = h.connect();
    send(c, "/careful.Svc/Get", null); // the client's own te: trailers is hop-by-hop, so stripped
    assertThat(((HttpRequest) up.last().written.get(0)).headers().get(HttpHeaderNames.TE)).isEqualTo("trailers");

    ExchangeHarness.Client plain = h.connect();
    HttpRequest get = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/careful.Svc/page");
    get.headers().set(HttpHeaderNames.HOST, "app.test").set("te", "trailers");
    plain.send(get);
    plain.send(LastHttpContent.EMPTY_LAST_CONTENT);
    assertThat(((HttpRequest) up.last().written.get(0)).headers().contains(HttpHeaderNames.TE)).isFalse();
  }

  @Test
  void outlierDetection_withoutABreaker_ejectsOnADefaultGrpcFailure() {
    ExchangeHarness.Client c = h.connect();
    send(c, "/ejecting.Svc/Get", null);
    FakeUpstreamSide.Stream s = up.last();
    withTrailers(s, 5); // NOT_FOUND: a success
    assertThat(h.upstream("ejecting").outliers().isEjected(s.endpoint.key())).isFalse();
    c.clear();
    send(c, "/ejecting.Svc/Get", null);
    s = up.last();
    withTrailers(s, 15); // DATA_LOSS
    assertThat(h.upstream("ejecting").outliers().isEjected(s.endpoint.key())).isTrue();
  }

  @Test
  void unavailableTrailersOnly_isRetriedWithTheMessageReplayed() {
    ExchangeHarness.Client c = h.connect();
    send(c, "/retry.Svc/Get", null);
    FakeUpstreamSide.Stream first = up.last();
    trailersOnly(first, 14);
    assertThat(h.retries).containsExactly("unavailable");
    assertThat(h.attemptOutcomes).containsExactly("grpc_unavailable");
    assertThat(c.received).isEmpty();
    h.advance(Duration.ofMillis(10));

    FakeUpstreamSide.Stream second = up.last();
    assertThat(second).isNotSameAs(first);
    assertThat(second.written).anyMatch(o -> o instanceof HttpContent content && content.content().readableBytes() == 5);
    trailersOnly(second, 0);
    assertThat(c.head().headers().getInt("grpc-status")).isZero();
    assertThat(c.head().headers().get("x-salve-attempts")).isEqualTo("2");
    assertThat(h.lastRecord().grpcStatus()).isZero();
  }

  @Test
  void unavailableInTrailers_isNeverRetried_messagesReachedTheClient() {
    ExchangeHarness.Client c = h.connect();
    send(c, "/retry.Svc/Get", null);
    withTrailers(up.last(), 14);
    assertThat(h.retries).isEmpty();
    assertThat(trailers(c).trailingHeaders().getInt("grpc-status")).isEqualTo(14);
    assertThat(up.opened).hasSize(1);
  }

  @Test
  void unavailable_isNotRetriedWithoutRetryNonIdempotent_aCallIsAPost() {
    ExchangeHarness.Client c = h.connect();
    send(c, "/careful.Svc/Get", null);
    trailersOnly(up.last(), 14);
    assertThat(h.retries).isEmpty();
    assertThat(c.head().headers().getInt("grpc-status")).isEqualTo(14);
    assertThat(c.head().headers().get(ErrorResponses.X_SALVE_ERROR)).as("the upstream's answer, not salve's").isNull();
    assertThat(c.received).as("trailers-only: one message, one HEADERS frame over HTTP/2").hasSize(1)
        .first().isInstanceOf(io.netty.handler.codec.http.FullHttpResponse.class);
    assertThat(c.responseComplete()).isTrue();
  }

  @Test
  void grpcStatusInAHeadFollowedByABody_isPassedOnAsItCame() {
    ExchangeHarness.Client c = h.connect();
    send(c, "/careful.Svc/Get", null);
    HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/grpc").setInt("grpc-status", 0)
        .set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
    up.last().send(r);
    up.last().send(new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 0, 0})));
    assertThat(c.head()).isNotInstanceOf(io.netty.handler.codec.http.FullHttpResponse.class);
    assertThat(trailers(c).content().readableBytes()).isEqualTo(5);
    assertThat(h.lastRecord().bytesOut()).isEqualTo(5);
  }

  @Test
  void grpcTimeout_shorterThanTheRoute_isTheDeadline_andReachesTheUpstreamReduced() {
    ExchangeHarness.Client c = h.connect();
    send(c, "/slow.Svc/Get", "500m");
    assertThat(up.last().head().headers().get("te")).as("gRPC servers expect it; TE is hop-by-hop").isEqualTo("trailers");
    long sent = GrpcTimeout.parseNanos(up.last().head().headers().get("grpc-timeout"));
    assertThat(sent).isBetween(1L, Duration.ofMillis(500).toNanos());

    h.advance(Duration.ofMillis(499));
    assertThat(c.received).isEmpty();
    h.advance(Duration.ofMillis(1));
    HttpResponse head = c.head();
    assertGrpcAnswer(head, 4, "upstream_timeout");
    assertThat(h.lastRecord().grpcStatus()).isEqualTo(4);
  }

  @Test
  void routeTimeout_shorterThanTheClients_isTheDeadlineTold() {
    ExchangeHarness.Client c = h.connect();
    send(c, "/slow.Svc/Get", "1M");
    assertThat(up.last().head().headers().get("grpc-timeout")).isEqualTo("2000000u");
  }

  @Test
  void eachAttempt_seesTheRemainingTime() {
    ExchangeHarness.Client c = h.connect();
    send(c, "/retry.Svc/Get", "1S");
    assertThat(up.last().head().headers().get("grpc-timeout")).isEqualTo("1000000u");
    h.advance(Duration.ofMillis(300));
    trailersOnly(up.last(), 14);
    h.advance(Duration.ofMillis(10));
    assertThat(up.opened).hasSize(2);
    assertThat(up.last().head().headers().get("grpc-timeout")).isEqualTo("690000u");
  }

  @Test
  void perTryTimeout_shorterThanWhatIsLeft_isTheTimeTold() {
    ExchangeHarness.Client c = h.connect();
    send(c, "/pertry.Svc/Get", null);
    assertThat(up.last().head().headers().get("grpc-timeout")).isEqualTo("300000u");
    trailersOnly(up.last(), 0);
  }

  @Test
  void invalidGrpcTimeout_isIgnored_andPassedOnUntouched() {
    ExchangeHarness.Client c = h.connect();
    send(c, "/careful.Svc/Get", "soon");
    assertThat(up.last().head().headers().get("grpc-timeout")).isEqualTo("soon");
    h.advance(Duration.ofSeconds(60));
    assertThat(c.received).isEmpty();
    trailersOnly(up.last(), 0);
  }

  @Test
  void bulkheadFull_isResourceExhausted() {
    ExchangeHarness.Client first = h.connect();
    send(first, "/narrow.Svc/Get", null);
    ExchangeHarness.Client second = h.connect();
    send(second, "/narrow.Svc/Get", null);
    assertGrpcAnswer(second.head(), 8, "overloaded");
    trailersOnly(up.last(), 0);
  }

  @Test
  void noRoute_isUnimplemented() {
    ExchangeHarness.Client c = h.connect();
    send(c, "/nowhere.Svc/Get", null);
    assertGrpcAnswer(c.head(), 12, "no_route");
    assertThat(h.lastRecord().grpcStatus()).isEqualTo(12);
    assertThat(h.lastRecord().status()).isEqualTo(200);
  }

  @Test
  void plainHttp_stillGetsJson() {
    ExchangeHarness.Client c = h.connect();
    c.send(ExchangeHarness.get("/nowhere"));
    assertThat(c.head().status().code()).isEqualTo(404);
    assertThat(c.head().headers().get("grpc-status")).isNull();
    assertThat(h.lastRecord().grpcStatus()).isEqualTo(-1);
  }
}
