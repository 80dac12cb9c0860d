package io.salve.proxy.forward;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.salve.proxy.codec.FieldNames;
import io.salve.proxy.util.RandomSource;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The fields salve adds to a request it forwards: X-Forwarded-For/-Proto/-Host, X-Request-Id and Via;
 * and the removal of fields clients must not be able to set (salve's own {@code x-salve-*}).
 *
 * <p>Trust follows the listener's {@code trustedProxies} (http-safety.md §4; Spring Cloud Gateway
 * CVE-2025-41235):
 *
 * <ul>
 *   <li>X-Forwarded-For always gets the peer address appended, so its right-most entry is the one
 *       salve vouches for; the upstream decides how far left to trust.
 *   <li>From a trusted proxy, X-Forwarded-Proto and -Host get salve's value appended, and the other
 *       forwarding fields ({@code Forwarded}, {@code X-Real-IP}, other {@code X-Forwarded-*}) pass
 *       unchanged.
 *   <li>From anyone else, X-Forwarded-Proto and -Host are replaced by salve's values, and the other
 *       forwarding fields are removed: an untrusted client cannot make the upstream believe a
 *       different scheme, host, client address or path prefix.
 * </ul>
 *
 * A field repeated on several lines is read as the comma-joined list it stands for (RFC 9110 §5.3)
 * before salve appends to it.
 */
public final class ForwardedHeaders {
  public static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
  public static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
  public static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
  public static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
  static final AsciiString FORWARDED = AsciiString.cached("forwarded");
  static final AsciiString X_REAL_IP = AsciiString.cached("x-real-ip");
  private static final String VIA_VALUE = "1.1 salve";
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private ForwardedHeaders() {}

  /** Drops every {@code x-salve-*} field. */
  public static void dropSalveHeaders(HttpHeaders headers) {
    dropSalveHeaders(headers, FieldScan.of(headers));
  }

  /** As {@link #dropSalveHeaders(HttpHeaders)}, given the {@link FieldScan} of {@code headers}. */
  static void dropSalveHeaders(HttpHeaders headers, int fields) {
    if ((fields & FieldNames.X_SALVE) != 0) {
      dropPrefixed(headers, "x-salve-", null);
    }
  }

  /** Drops every field whose name starts with {@code prefix} (any case), except {@code keep}. */
  private static void dropPrefixed(HttpHeaders headers, String prefix, AsciiString keep) {
    if (headers.isEmpty()) {
      return;
    }
    List<String> doomed = null;
    for (Map.Entry<String, String> e : headers) {
      String name = e.getKey();
      if (name.length() > prefix.length()
          && name.regionMatches(true, 0, prefix, 0, prefix.length())
          && (keep == null || !keep.contentEqualsIgnoreCase(name))) {
        if (doomed == null) {
          doomed = new ArrayList<>(2);
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
    return apply(headers, FieldScan.of(headers), peer, trustedPeer, host, RandomSource.threadLocal().current());
  }

  /**
   * As {@link #apply(HttpHeaders, String, boolean, String)}, given the {@link FieldScan} of {@code
   * headers} and the generator of a new request id.
   */
  static String apply(HttpHeaders headers, int fields, String peer, boolean trustedPeer, String host, RandomGenerator random) {
    return apply(headers, fields, peer, trustedPeer, host, "http", random);
  }

  /**
   * As {@link #apply(HttpHeaders, int, String, boolean, String, RandomGenerator)}, for a client that
   * spoke {@code proto} ({@code http} or {@code https}, as {@code x-forwarded-proto} says).
   */
  static String apply(
      HttpHeaders headers, int fields, String peer, boolean trustedPeer, String host, String proto, RandomGenerator random) {
    boolean forwarded = (fields & FieldNames.X_FORWARDED) != 0;
    append(headers, X_FORWARDED_FOR, peer, forwarded);
    if (!trustedPeer) {
      if ((fields & FieldNames.FORWARDED) != 0) {
        headers.remove(FORWARDED);
      }
      if ((fields & FieldNames.X_REAL_IP) != 0) {
        headers.remove(X_REAL_IP);
      }
      if (forwarded) {
        dropPrefixed(headers, "x-forwarded-", X_FORWARDED_FOR);
      }
    }
    append(headers, X_FORWARDED_PROTO, proto, trustedPeer && forwarded);
    if (host != null) {
      append(headers, X_FORWARDED_HOST, host, trustedPeer && forwarded);
    } else if (!trustedPeer && forwarded) {
      headers.remove(X_FORWARDED_HOST);
    }
    append(headers, HttpHeaderNames.VIA, VIA_VALUE, (fields & FieldNames.VIA) != 0);
    String id = (fields & FieldNames.X_REQUEST_ID) != 0 ? headers.get(X_REQUEST_ID) : null;
    if (id == null || id.isEmpty()) {
      id = newRequestId(random);
      headers.set(X_REQUEST_ID, id);
    }
    return id;
  }

  /** Sets {@code name} to its existing lines, joined, then {@code value}; or to {@code value} alone. */
  private static void append(HttpHeaders h, AsciiString name, String value, boolean keepExisting) {
    if (!keepExisting) {
      h.set(name, value);
      return;
    }
    StringBuilder joined = new StringBuilder();
    for (String line : h.getAll(name)) {
      if (!line.isBlank()) {
        joined.append(line.trim()).append(", ");
      }
    }
    h.set(name, joined.append(value).toString());
  }

  /** @return 32 hex digits of randomness, cheap and without a lock. */
  static String newRequestId(RandomGenerator r) {
    byte[] out = new byte[32]; // Latin-1 bytes, as the String keeps them: no char[] to compress
    long a = r.nextLong();
    long b = r.nextLong();
    for (int i = 0; i < 16; i++) {
      out[i] = HEX[(int) (a >>> (60 - 4 * i)) & 0xF];
      out[16 + i] = HEX[(int) (b >>> (60 - 4 * i)) & 0xF];
    }
    return new String(out, StandardCharsets.ISO_8859_1);
  }
}
