package io.salve.proxy.forward;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

/**
 * Re-frames an upstream response head for the client, after hop-by-hop fields were stripped: the body
 * keeps its Content-Length, or becomes chunked for HTTP/1.1 clients (close-delimited for HTTP/1.0);
 * keep-alive is decided; salve's own fields are added. Transfer-Encoding and Connection were
 * stripped, so they are added without looking for an old value.
 */
final class ResponseFraming {
  static final AsciiString X_SALVE_UPSTREAM = AsciiString.cached("x-salve-upstream");
  static final AsciiString X_SALVE_ATTEMPTS = AsciiString.cached("x-salve-attempts");
  private static final AsciiString[] ATTEMPTS = new AsciiString[16];

  static {
    for (int i = 0; i < ATTEMPTS.length; i++) {
      ATTEMPTS[i] = AsciiString.cached(Integer.toString(i));
    }
  }

  private ResponseFraming() {}

  /**
   * @param requestRead whether the whole request was read (if not, and it has a body, the connection
   *     cannot be reused: the rest of the body will not be read)
   * @param hasSalveFields whether the upstream sent {@code x-salve-*} fields (ours replace them)
   * @return whether the client connection must close after this response
   */
  static boolean prepare(
      HttpResponse response,
      RequestFacts facts,
      boolean requestRead,
      boolean draining,
      String upstream,
      int attempts,
      boolean hasSalveFields) {
    int code = response.status().code();
    boolean close = false;
    boolean bodyless = facts.isHead() || code == 204 || code == 304;
    if (!bodyless && !response.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
      if (facts.clientVersion() == HttpVersion.HTTP_1_1) {
        response.headers().add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      } else {
        close = true; // an HTTP/1.0 client learns the end of the body from the close
      }
    }
    if (!requestRead && facts.hasBody()) {
      close = true;
    }
    if (!facts.clientKeepAlive() || close || draining) {
      close = true;
      response.headers().add(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (facts.clientVersion() == HttpVersion.HTTP_1_0) {
      response.headers().add(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    response.setProtocolVersion(HttpVersion.HTTP_1_1);
    CharSequence attemptsText = attempts < ATTEMPTS.length ? ATTEMPTS[attempts] : Integer.toString(attempts);
    if (hasSalveFields) {
      response.headers().set(X_SALVE_UPSTREAM, upstream).set(X_SALVE_ATTEMPTS, attemptsText);
    } else {
      response.headers().add(X_SALVE_UPSTREAM, upstream).add(X_SALVE_ATTEMPTS, attemptsText);
    }
    return close;
  }
}
