package io.salve.proxy.metrics;

import io.salve.proxy.forward.ExchangeRecord;
import java.time.Instant;

/**
 * Formats an {@link ExchangeRecord} as one JSON access-log line straight into a byte array: no
 * {@code StringBuilder}, no intermediate {@code String}, no charset encoder.
 *
 * <p>The bytes are exactly what salve wrote before it formatted lines to bytes (a {@code StringBuilder}
 * line with {@code Instant.toString} and {@code Double.toString}, encoded as UTF-8 by a {@code Writer}),
 * down to the escaping (a control character as backslash, u, four lower-case hex digits) and the {@code ?} the encoder substitutes for a
 * lone surrogate; {@code AccessLogFormatTest} compares the two. Rare values the fast paths do not cover
 * (durations under a microsecond, timestamps outside years 0-9999) go through the JDK's own
 * {@code toString} and so cannot differ either.
 *
 * <p>Not thread-safe: it caches the date-and-time prefix of the last second it formatted. The access
 * log's single writer thread owns one.
 */
final class AccessLogFormat {
  /** Bytes a line needs besides its strings: keys, punctuation, numbers and the timestamp. */
  private static final int FIXED_BYTES = 512;

  /** Worst case per UTF-16 char: a control character becomes a six-byte escape. */
  private static final int MAX_BYTES_PER_CHAR = 6;

  private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final long MIN_PLAIN_NANOS = 1_000L; // 0.001 ms: smaller values print as 9.99E-4
  private static final long MAX_PLAIN_NANOS = 10_000_000_000_000L; // 1e7 ms: larger print as 1.0E7

  private final byte[] secondText = new byte[32];
  private int secondLength;
  private long cachedSecond = Long.MIN_VALUE;

  /**
   * @return an upper bound on the bytes {@link #write} puts down for {@code r}, whatever its strings hold.
   */
  static int maxLength(ExchangeRecord r) {
    long chars =
        len(r.requestId()) + len(r.client()) + len(r.method()) + len(r.protocol()) + len(r.path()) + len(r.listener())
            + len(r.route()) + len(r.upstream()) + len(r.endpoint()) + len(r.error());
    return (int) Math.min(Integer.MAX_VALUE - 8, FIXED_BYTES + chars * MAX_BYTES_PER_CHAR);
  }

  private static int len(String s) {
    return s == null ? 0 : s.length();
  }

  /**
   * Writes the line for {@code r}, newline included, at {@code buf[pos]}; the caller guarantees
   * {@link #maxLength} bytes of room.
   *
   * @return the position after the line
   */
  int write(ExchangeRecord r, byte[] buf, int pos) {
    pos = ascii(buf, pos, "{\"timestamp\":\"");
    pos = timestamp(r.epochMillis(), buf, pos);
    buf[pos++] = '"';
    pos = str(buf, pos, ",\"requestId\":", r.requestId());
    pos = str(buf, pos, ",\"client\":", r.client());
    pos = str(buf, pos, ",\"method\":", r.method());
    pos = str(buf, pos, ",\"protocol\":", r.protocol());
    pos = str(buf, pos, ",\"path\":", r.path());
    pos = str(buf, pos, ",\"listener\":", r.listener());
    pos = str(buf, pos, ",\"route\":", r.route());
    pos = str(buf, pos, ",\"upstream\":", r.upstream());
    pos = str(buf, pos, ",\"endpoint\":", r.endpoint());
    pos = ascii(buf, pos, ",\"status\":");
    pos = decimal(r.status(), buf, pos);
    if (r.grpcStatus() >= 0) {
      pos = ascii(buf, pos, ",\"grpcStatus\":");
      pos = decimal(r.grpcStatus(), buf, pos);
    }
    pos = ascii(buf, pos, ",\"durationMs\":");
    pos = millis(r.durationNanos(), buf, pos);
    pos = ascii(buf, pos, ",\"bytesIn\":");
    pos = decimal(r.bytesIn(), buf, pos);
    pos = ascii(buf, pos, ",\"bytesOut\":");
    pos = decimal(r.bytesOut(), buf, pos);
    pos = ascii(buf, pos, ",\"attempts\":");
    pos = decimal(r.attempts(), buf, pos);
    pos = str(buf, pos, ",\"error\":", r.error());
    buf[pos++] = '}';
    buf[pos++] = '\n';
    return pos;
  }

  /** {@code Instant.ofEpochMilli(ms).toString()}, with the date and time of day cached per second. */
  private int timestamp(long epochMillis, byte[] buf, int pos) {
    long second = Math.floorDiv(epochMillis, 1000L);
    int milli = (int) Math.floorMod(epochMillis, 1000L);
    if (second != cachedSecond) {
      String whole = Instant.ofEpochSecond(second).toString(); // once a second: "2026-12-06T01:07:08Z"
      secondLength = whole.length() - 1;
      for (int i = 0; i < secondLength; i++) {
        secondText[i] = (byte) whole.charAt(i);
      }
      cachedSecond = second;
    }
    System.arraycopy(secondText, 0, buf, pos, secondLength);
    pos += secondLength;
    if (milli != 0) { // ISO_INSTANT leaves out a zero fraction
      buf[pos++] = '.';
      buf[pos++] = (byte) ('0' + milli / 100);
      buf[pos++] = (byte) ('0' + milli / 10 % 10);
      buf[pos++] = (byte) ('0' + milli % 10);
    }
    buf[pos++] = 'Z';
    return pos;
  }

  /**
   * {@code Double.toString(nanos / 1_000_000.0)}. Between 0.001 and 10^7 ms that is plain notation, and
   * because the quotient has at most 13 significant digits (fewer than the 15 a double always keeps),
   * its shortest decimal is the exact one: whole milliseconds, a point, then the six fraction digits
   * without trailing zeros but at least one digit.
   */
  private static int millis(long nanos, byte[] buf, int pos) {
    if (nanos < MIN_PLAIN_NANOS || nanos >= MAX_PLAIN_NANOS) {
      return ascii(buf, pos, Double.toString(nanos / 1_000_000.0));
    }
    pos = decimal(nanos / 1_000_000L, buf, pos);
    buf[pos++] = '.';
    int fraction = (int) (nanos % 1_000_000L);
    if (fraction == 0) {
      buf[pos++] = '0';
      return pos;
    }
    int digits = 6;
    while (fraction % 10 == 0) {
      fraction /= 10;
      digits--;
    }
    for (int i = digits - 1; i >= 0; i--) {
      buf[pos + i] = (byte) ('0' + fraction % 10);
      fraction /= 10;
    }
    return pos + digits;
  }

  /** {@code Long.toString(v)} as ASCII bytes. */
  static int decimal(long v, byte[] buf, int pos) {
    if (v < 0) {
      if (v == Long.MIN_VALUE) {
        return ascii(buf, pos, Long.toString(v));
      }
      buf[pos++] = '-';
      v = -v;
    }
    int digits = 1;
    for (long t = v; t >= 10; t /= 10) {
      digits++;
    }
    for (int i = pos + digits - 1; i >= pos; i--) {
      buf[i] = (byte) ('0' + v % 10);
      v /= 10;
    }
    return pos + digits;
  }

  private static int ascii(byte[] buf, int pos, String s) {
    for (int i = 0; i < s.length(); i++) {
      buf[pos++] = (byte) s.charAt(i);
    }
    return pos;
  }

  private static int str(byte[] buf, int pos, String key, String value) {
    pos = ascii(buf, pos, key);
    if (value == null) {
      buf[pos++] = 'n';
      buf[pos++] = 'u';
      buf[pos++] = 'l';
      buf[pos++] = 'l';
      return pos;
    }
    buf[pos++] = '"';
    pos = jsonChars(value, buf, pos);
    buf[pos++] = '"';
    return pos;
  }

  /**
   * The string's characters, JSON-escaped like {@code JsonText.appendString} and UTF-8 encoded like the
   * JDK's encoder with its default replacement ({@code ?} for a surrogate without its pair).
   */
  private static int jsonChars(String s, byte[] buf, int pos) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        if (c >= 0x20 && c != '"' && c != '\\') {
          buf[pos++] = (byte) c;
        } else if (c >= 0x20) {
          buf[pos++] = '\\';
          buf[pos++] = (byte) c;
        } else {
          buf[pos++] = '\\';
          buf[pos++] = 'u';
          buf[pos++] = '0';
          buf[pos++] = '0';
          buf[pos++] = HEX[c >> 4];
          buf[pos++] = HEX[c & 0xf];
        }
      } else if (c < 0x800) {
        buf[pos++] = (byte) (0xc0 | c >> 6);
        buf[pos++] = (byte) (0x80 | c & 0x3f);
      } else if (!Character.isSurrogate(c)) {
        buf[pos++] = (byte) (0xe0 | c >> 12);
        buf[pos++] = (byte) (0x80 | c >> 6 & 0x3f);
        buf[pos++] = (byte) (0x80 | c & 0x3f);
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        buf[pos++] = (byte) (0xf0 | cp >> 18);
        buf[pos++] = (byte) (0x80 | cp >> 12 & 0x3f);
        buf[pos++] = (byte) (0x80 | cp >> 6 & 0x3f);
        buf[pos++] = (byte) (0x80 | cp & 0x3f);
      } else {
        buf[pos++] = '?';
      }
    }
    return pos;
  }
}
