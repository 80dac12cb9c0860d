package io.salve.proxy.forward;

import static io.salve.proxy.forward.ExchangeHarness.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.salve.proxy.upstream.StreamRefusedException;
import io.salve.proxy.upstream.StreamResetException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How the exchange judges an HTTP/2 stream's own failures: a stream the upstream never processed
 * (REFUSED_STREAM, above a GOAWAY's last stream id) is retried like a failed connect, even for a
 * method that is not idempotent; any other reset is an upstream reset.
 */
class StreamFailuresExchangeTest {
  private static final String YAML =
      """
      listeners:
        - name: ingress
          address: 127.0.0.1:0
          routes:
            - match: { pathPrefix: /once }
              upstream: once
            - match: { pathPrefix: / }
              upstream: app
      upstreams:
        once:
          endpoints: [127.0.0.1:7001]
          retry: { maxAttempts: 1 }
        app:
          endpoints: [127.0.0.1:7002, 127.0.0.1:7003]
          retry:
            maxAttempts: 2
            backoff: { initial: 10ms, max: 10ms, multiplier: 1.0, jitter: none }
      """;

  private final ExchangeHarness h = new ExchangeHarness(YAML);
  private final FakeUpstreamSide up = h.upstreamSide;

  @AfterEach
  void tearDown() {
    up.releaseAll();
    h.close();
  }

  @Test
  void aRefusedStreamIsRetriedEvenForAPost() {
    ExchangeHarness.Client c = h.connect();
    HttpRequest post = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/post");
    post.headers().set(HttpHeaderNames.HOST, "app.test").setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
    c.send(post);
    c.send(LastHttpContent.EMPTY_LAST_CONTENT);
    up.last().listener.onUpstreamError(new StreamRefusedException("REFUSED_STREAM"));
    assertThat(h.retries).containsExactly("connect_failure");
    h.advance(Duration.ofMillis(10));
    up.last().respond(200, "ok");
    assertThat(c.head().status().code()).isEqualTo(200);
    assertThat(h.attemptOutcomes).containsExactly("refused", "2xx");
  }

  @Test
  void aResetPostIsNotRetried() {
    ExchangeHarness.Client c = h.connect();
    HttpRequest post = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/post");
    post.headers().set(HttpHeaderNames.HOST, "app.test").setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
    c.send(post);
    c.send(LastHttpContent.EMPTY_LAST_CONTENT);
    up.last().listener.onUpstreamError(new StreamResetException("INTERNAL_ERROR"));
    assertThat(h.retries).isEmpty();
    assertThat(c.head().status().code()).isEqualTo(502);
  }

  @Test
  void aRefusedStreamThatIsTheLastWordIs502UpstreamRefused() {
    ExchangeHarness.Client c = h.connect();
    c.send(get("/once"));
    up.last().listener.onUpstreamError(new StreamRefusedException("GOAWAY"));
    assertThat(c.head().status().code()).isEqualTo(502);
    assertThat(c.head().headers().get(ErrorResponses.X_SALVE_ERROR)).isEqualTo("upstream_refused");
    assertThat(up.last().reusable).isFalse();
  }

  @Test
  void anyOtherResetIsAnUpstreamReset() {
    ExchangeHarness.Client c = h.connect();
    c.send(get("/once"));
    up.last().listener.onUpstreamError(new StreamResetException("INTERNAL_ERROR"));
    assertThat(c.head().status().code()).isEqualTo(502);
    assertThat(c.head().headers().get(ErrorResponses.X_SALVE_ERROR)).isEqualTo("upstream_reset");
    assertThat(h.attemptOutcomes).containsExactly("reset");
  }
}
