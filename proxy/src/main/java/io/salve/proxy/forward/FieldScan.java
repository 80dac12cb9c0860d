package io.salve.proxy.forward;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.salve.proxy.codec.IndexedHeaders;
import java.util.Iterator;
import java.util.Map;

/**
 * Which of the fields salve rewrites or checks a message carries, found in one pass over its lines. Most
 * messages carry none of them; the rewrites then skip their lookups and removals, each of which
 * would hash the name and walk a bucket of the header map. A set bit only means "look": the code
 * behind it still reads the headers themselves, so a bit left set after its field was removed is
 * harmless.
 */
final class FieldScan {
  static final int CONNECTION = 1;
  static final int KEEP_ALIVE = 1 << 1;
  static final int PROXY_CONNECTION = 1 << 2;
  static final int TE = 1 << 3;
  static final int TRAILER = 1 << 4;
  static final int TRANSFER_ENCODING = 1 << 5;
  static final int UPGRADE = 1 << 6;
  static final int VIA = 1 << 7;
  static final int FORWARDED = 1 << 8;
  static final int X_REAL_IP = 1 << 9;
  static final int X_REQUEST_ID = 1 << 10;
  /** Any {@code x-forwarded-*} field. */
  static final int X_FORWARDED = 1 << 11;
  /** Any {@code x-salve-*} field. */
  static final int X_SALVE = 1 << 12;
  static final int CONTENT_LENGTH = 1 << 13;

  static final int HOP_BY_HOP = CONNECTION | KEEP_ALIVE | PROXY_CONNECTION | TE | TRAILER | TRANSFER_ENCODING | UPGRADE;

  private static final String X_FORWARDED_PREFIX = "x-forwarded-";
  private static final String X_SALVE_PREFIX = "x-salve-";

  private FieldScan() {}

  /** @return the bits of the fields present in {@code headers}. */
  static int of(HttpHeaders headers) {
    int bits = 0;
    if (headers instanceof IndexedHeaders indexed && !indexed.edited()) {
      // The names as views over the received bytes: no entry, no String.
      for (int i = 0; i < indexed.receivedCount(); i++) {
        bits |= bitOf(indexed.nameAt(i));
      }
      return bits;
    }
    Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
    while (it.hasNext()) {
      bits |= bitOf(it.next().getKey());
    }
    return bits;
  }

  private static int bitOf(CharSequence n) {
    switch (n.length()) {
      case 2:
        return is(n, "te") ? TE : 0;
      case 3:
        return is(n, "via") ? VIA : 0;
      case 7:
        return is(n, "trailer") ? TRAILER : is(n, "upgrade") ? UPGRADE : 0;
      case 9:
        return is(n, "forwarded") ? FORWARDED : is(n, "x-real-ip") ? X_REAL_IP : prefixed(n);
      case 10:
        return is(n, "connection") ? CONNECTION : is(n, "keep-alive") ? KEEP_ALIVE : prefixed(n);
      case 12:
        return is(n, "x-request-id") ? X_REQUEST_ID : prefixed(n);
      case 14:
        return is(n, "content-length") ? CONTENT_LENGTH : prefixed(n);
      case 16:
        return is(n, "proxy-connection") ? PROXY_CONNECTION : prefixed(n);
      case 17:
        return is(n, "transfer-encoding") ? TRANSFER_ENCODING : prefixed(n);
      default:
        return prefixed(n);
    }
  }

  private static int prefixed(CharSequence n) {
    if (n.length() > X_SALVE_PREFIX.length() && startsWith(n, X_SALVE_PREFIX)) {
      return X_SALVE;
    }
    if (n.length() > X_FORWARDED_PREFIX.length() && startsWith(n, X_FORWARDED_PREFIX)) {
      return X_FORWARDED;
    }
    return 0;
  }

  private static boolean is(CharSequence n, String name) {
    return AsciiString.contentEqualsIgnoreCase(n, name);
  }

  private static boolean startsWith(CharSequence n, String prefix) {
    return AsciiString.regionMatches(n, true, 0, prefix, 0, prefix.length());
  }
}
