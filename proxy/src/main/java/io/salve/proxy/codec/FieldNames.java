package io.salve.proxy.codec;

import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;

/**
 * The field names salve rewrites or checks, as bits: which of them a message carries is found once,
 * from the names' bytes, so that the rewrites skip the lookups and removals of fields that are not
 * there (most messages carry none of them). Names compare case-insensitively.
 */
public final class FieldNames {
  public static final int CONNECTION = 1;
  public static final int KEEP_ALIVE = 1 << 1;
  public static final int PROXY_CONNECTION = 1 << 2;
  public static final int TE = 1 << 3;
  public static final int TRAILER = 1 << 4;
  public static final int TRANSFER_ENCODING = 1 << 5;
  public static final int UPGRADE = 1 << 6;
  public static final int VIA = 1 << 7;
  public static final int FORWARDED = 1 << 8;
  public static final int X_REAL_IP = 1 << 9;
  public static final int X_REQUEST_ID = 1 << 10;
  /** Any {@code x-forwarded-*} field. */
  public static final int X_FORWARDED = 1 << 11;
  /** Any {@code x-salve-*} field. */
  public static final int X_SALVE = 1 << 12;
  public static final int CONTENT_LENGTH = 1 << 13;

  public static final int HOP_BY_HOP = CONNECTION | KEEP_ALIVE | PROXY_CONNECTION | TE | TRAILER | TRANSFER_ENCODING | UPGRADE;

  private FieldNames() {}

  /** @return the bit of the field named {@code name}, or 0 */
  public static int bitOf(CharSequence name) {
    if (name instanceof AsciiString ascii) {
      return bitOf(ascii.array(), ascii.arrayOffset(), ascii.length());
    }
    byte[] bytes = name.toString().getBytes(StandardCharsets.ISO_8859_1);
    return bitOf(bytes, 0, bytes.length);
  }

  /** @return the bit of the field named by {@code bytes[from, from + length)}, or 0 */
  static int bitOf(byte[] b, int from, int length) {
    switch (length) {
      case 2:
        return is(b, from, "te") ? TE : 0;
      case 3:
        return is(b, from, "via") ? VIA : 0;
      case 7:
        return is(b, from, "trailer") ? TRAILER : is(b, from, "upgrade") ? UPGRADE : 0;
      case 9:
        return is(b, from, "forwarded") ? FORWARDED : is(b, from, "x-real-ip") ? X_REAL_IP : prefixed(b, from, length);
      case 10:
        return is(b, from, "connection") ? CONNECTION : is(b, from, "keep-alive") ? KEEP_ALIVE : prefixed(b, from, length);
      case 12:
        return is(b, from, "x-request-id") ? X_REQUEST_ID : prefixed(b, from, length);
      case 14:
        return is(b, from, "content-length") ? CONTENT_LENGTH : prefixed(b, from, length);
      case 16:
        return is(b, from, "proxy-connection") ? PROXY_CONNECTION : prefixed(b, from, length);
      case 17:
        return is(b, from, "transfer-encoding") ? TRANSFER_ENCODING : prefixed(b, from, length);
      default:
        return prefixed(b, from, length);
    }
  }

  private static int prefixed(byte[] b, int from, int length) {
    if (length > 8 && is(b, from, "x-salve-")) {
      return X_SALVE;
    }
    return length > 12 && is(b, from, "x-forwarded-") ? X_FORWARDED : 0;
  }

  /** @return whether the bytes at {@code from} start with {@code lowerCase}, ignoring ASCII case */
  static boolean is(byte[] b, int from, String lowerCase) {
    return ByteRanges.equal(b, from, from + lowerCase.length(), lowerCase, true);
  }
}
