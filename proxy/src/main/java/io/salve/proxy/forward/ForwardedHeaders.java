package io.salve.proxy.forward;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The fields salve adds to a request it forwards: X-Forwarded-For/-Proto/-Host, X-Request-Id and Via;
 * and the removal of fields clients must not be able to set (salve's own {@code x-salve-*}).
 *
 * <p>X-Forwarded-For always gets the peer address appended. X-Forwarded-Proto and -Host are
 * appended to only when the peer is a trusted proxy; otherwise the client's values are replaced, so
 * an untrusted client cannot make the upstream believe a different scheme or host.
 */
public final class ForwardedHeaders {
  public static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
  public static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
  public static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
  public static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
  private static final String VIA_VALUE = "1.1 salve";
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private ForwardedHeaders() {}

  /** Drops every {@code x-salve-*} field. */
  public static void dropSalveHeaders(HttpHeaders headers) {
    if (headers.isEmpty()) {
      return;
    }
    java.util.List<String> doomed = null;
    for (java.util.Map.Entry<String, String> e : headers) {
      String name = e.getKey();
      if (name.length() > 8 && name.regionMatches(true, 0, "x-salve-", 0, 8)) {
        if (doomed == null) {
          doomed = new java.util.ArrayList<>(2);
        }
        doomed.add(name);
      }
    }
    if (doomed != null) {
      for (String name : doomed) {
        headers.remove(name);
      }
    }
  }

  /**
   * Adds the forwarding fields.
   *
   * @param peer the client's address as text
   * @param trustedPeer whether the peer is a configured trusted proxy
   * @param host the request's Host value, or null
   * @return the request id (received or generated)
   */
  public static String apply(HttpHeaders headers, String peer, boolean trustedPeer, String host) {
    String xff = headers.get(X_FORWARDED_FOR);
    headers.set(X_FORWARDED_FOR, xff == null || xff.isBlank() ? peer : xff + ", " + peer);
    appendOrReplace(headers, X_FORWARDED_PROTO, "http", trustedPeer);
    if (host != null) {
      appendOrReplace(headers, X_FORWARDED_HOST, host, trustedPeer);
    }
    String via = headers.get(HttpHeaderNames.VIA);
    headers.set(HttpHeaderNames.VIA, via == null ? VIA_VALUE : via + ", " + VIA_VALUE);
    String id = headers.get(X_REQUEST_ID);
    if (id == null || id.isEmpty()) {
      id = newRequestId();
      headers.set(X_REQUEST_ID, id);
    }
    return id;
  }

  private static void appendOrReplace(HttpHeaders h, AsciiString name, String value, boolean append) {
    String existing = append ? h.get(name) : null;
    h.set(name, existing == null || existing.isBlank() ? value : existing + ", " + value);
  }

  /** @return 32 hex digits of randomness, cheap and without a lock. */
  static String newRequestId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    char[] out = new char[32];
    long a = r.nextLong();
    long b = r.nextLong();
    for (int i = 0; i < 16; i++) {
      out[i] = HEX[(int) (a >>> (60 - 4 * i)) & 0xF];
      out[16 + i] = HEX[(int) (b >>> (60 - 4 * i)) & 0xF];
    }
    return new String(out);
  }
}
