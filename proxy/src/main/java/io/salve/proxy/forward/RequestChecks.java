package io.salve.proxy.forward;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.salve.config.ListenerLimits;
import io.salve.proxy.codec.FieldNames;
import io.salve.proxy.codec.MalformedMessageException;
import java.util.List;
import java.util.Locale;

/**
 * The checks a request head must pass before anything of it may reach an upstream: unambiguous
 * framing (RFC 9112 §6), exactly one valid Host (§3.2), a supported method, target form and version,
 * and the listener's limits. Each failure is a {@link Rejection}; every rejection closes the
 * connection, because after a framing doubt nothing more on it can be trusted.
 *
 * <p>Most malformed heads never get here: the decoder fails them first (see {@code
 * StrictRequestDecoder}). These checks hold what the decoder cannot know, and repeat the framing
 * rules so that they stand even with a more lenient decoder.
 */
final class RequestChecks {
  /** Why a request is refused. */
  record Rejection(HttpResponseStatus status, String reason, String message) {}

  private RequestChecks() {}

  /** @return why the decoder refused the head, mapped to 400, 414 or 431. */
  static Rejection decoderFailure(Throwable cause) {
    if (cause instanceof MalformedMessageException) {
      return bad(cause.getMessage()); // salve's own finding: the message is meant for the client
    }
    if (cause instanceof TooLongHttpLineException) {
      return new Rejection(HttpResponseStatus.REQUEST_URI_TOO_LONG, "uri_too_long", "request line too long");
    }
    if (cause instanceof TooLongHttpHeaderException) {
      return new Rejection(
          HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers_too_large", "request headers too large");
    }
    if (cause instanceof TooLongFrameException) {
      return new Rejection(HttpResponseStatus.BAD_REQUEST, "bad_request", "request part too large");
    }
    return new Rejection(HttpResponseStatus.BAD_REQUEST, "bad_request", "malformed request");
  }

  /** @return the first problem of the head, or null when it may be forwarded. */
  static Rejection check(HttpRequest req, ListenerLimits limits) {
    return check(req, limits, FieldScan.of(req.headers()));
  }

  /** As {@link #check(HttpRequest, ListenerLimits)}, given the {@link FieldScan} of the head. */
  static Rejection check(HttpRequest req, ListenerLimits limits, int fields) {
    HttpVersion v = req.protocolVersion();
    if (v.majorVersion() != 1 || v.minorVersion() > 1) {
      return new Rejection(
          HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "bad_request", "only HTTP/1.0 and HTTP/1.1 are supported");
    }
    if (req.method() == HttpMethod.CONNECT) {
      return new Rejection(HttpResponseStatus.METHOD_NOT_ALLOWED, "method_not_allowed", "CONNECT is not supported");
    }
    if (!isUpperCaseToken(req.method().name())) {
      // Methods are case-sensitive (RFC 9110 §9.1), but backends disagree: some upper-case them, some
      // refuse them. Route method matching is exact, so "get" must not reach a backend that reads GET.
      return new Rejection(
          HttpResponseStatus.NOT_IMPLEMENTED, "not_implemented", "methods with lower-case letters are not supported");
    }
    if (req.uri().equals("*")) {
      // Asterisk-form (RFC 9112 §3.2.4) names no resource to route by.
      return req.method() == HttpMethod.OPTIONS
          ? new Rejection(HttpResponseStatus.NOT_IMPLEMENTED, "not_implemented", "OPTIONS * is not supported")
          : bad("asterisk-form is only allowed with OPTIONS");
    }
    HttpHeaders h = req.headers();
    if (h.size() > limits.maxHeaderCount()) {
      return new Rejection(
          HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers_too_large", "too many header fields");
    }
    Rejection framing = (fields & (FieldNames.TRANSFER_ENCODING | FieldNames.CONTENT_LENGTH)) == 0 ? null : framing(h, v);
    if (framing != null) {
      return framing;
    }
    List<String> hosts = h.getAll(HttpHeaderNames.HOST);
    if (hosts.size() > 1 || (hosts.isEmpty() && v == HttpVersion.HTTP_1_1)) {
      return bad("exactly one Host header is required");
    }
    if (hosts.size() == 1 && !RequestTarget.isValidHost(hosts.get(0))) {
      return bad("invalid Host header");
    }
    return null;
  }

  /**
   * @param limit the body limit in bytes of the route the request matched, or -1 for none
   * @return 413 when the declared Content-Length exceeds it (a chunked body is counted as it streams)
   */
  static Rejection bodyLimit(HttpRequest req, long limit) {
    if (limit < 0) {
      return null;
    }
    String cl = req.headers().get(HttpHeaderNames.CONTENT_LENGTH);
    if (cl != null && isDecimal(cl.trim()) && Long.parseLong(cl.trim()) > limit) {
      return new Rejection(
          HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large", "request body exceeds " + limit + " bytes");
    }
    return null;
  }

  private static boolean isUpperCaseToken(String method) {
    for (int i = 0; i < method.length(); i++) {
      char c = method.charAt(i);
      if (c >= 'a' && c <= 'z') {
        return false;
      }
    }
    return !method.isEmpty();
  }

  private static Rejection framing(HttpHeaders h, HttpVersion v) {
    List<String> te = h.getAll(HttpHeaderNames.TRANSFER_ENCODING);
    List<String> cl = h.getAll(HttpHeaderNames.CONTENT_LENGTH);
    if (cl.size() > 1) {
      return bad("more than one Content-Length");
    }
    if (cl.size() == 1 && !isDecimal(cl.get(0))) {
      return bad("invalid Content-Length");
    }
    if (te.isEmpty()) {
      return null;
    }
    if (!cl.isEmpty()) {
      return bad("both Transfer-Encoding and Content-Length");
    }
    if (v == HttpVersion.HTTP_1_0) {
      return bad("Transfer-Encoding in an HTTP/1.0 request");
    }
    String[] codings = String.join(",", te).split(",", -1);
    String unsupported = null;
    for (int i = 0; i < codings.length; i++) {
      String c = codings[i].trim().toLowerCase(Locale.ROOT);
      boolean last = i == codings.length - 1;
      if (!c.matches("[a-z0-9!#$%&'*+.^_`|~-]+")) {
        return bad("invalid transfer coding");
      }
      if (c.equals("chunked") != last) {
        return bad("chunked must be the final transfer coding, and appear once");
      }
      if (!last && unsupported == null) {
        unsupported = c;
      }
    }
    if (unsupported != null) {
      return new Rejection(
          HttpResponseStatus.NOT_IMPLEMENTED, "not_implemented", "transfer coding '" + unsupported + "' is not supported");
    }
    return null;
  }

  private static boolean isDecimal(String s) {
    if (s.isEmpty() || s.length() > 18) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private static Rejection bad(String message) {
    return new Rejection(HttpResponseStatus.BAD_REQUEST, "bad_request", message);
  }
}
