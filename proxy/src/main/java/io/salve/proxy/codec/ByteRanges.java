package io.salve.proxy.codec;

/**
 * Comparisons of a range of a received head's bytes (ISO-8859-1, one char per byte) with a string,
 * without making a {@code String} of the range.
 */
final class ByteRanges {
  private ByteRanges() {}

  /** @return whether {@code bytes[from, to)} equals {@code s}, ignoring ASCII case if asked */
  static boolean equal(byte[] bytes, int from, int to, CharSequence s, boolean ignoreCase) {
    if (to - from != s.length()) {
      return false;
    }
    for (int k = 0; k < to - from; k++) {
      int b = bytes[from + k] & 0xFF;
      char c = s.charAt(k);
      if (b != c && !(ignoreCase && lower(b) == lower(c))) {
        return false;
      }
    }
    return true;
  }

  /**
   * @return whether the comma-separated list in {@code bytes[from, to)} has an element equal to
   *     {@code expected} once trimmed, as Netty's {@code HttpHeaders.containsValue} compares them
   */
  static boolean listHas(byte[] bytes, int from, int to, CharSequence expected, boolean ignoreCase) {
    int start = from;
    while (true) {
      int comma = start;
      while (comma < to && bytes[comma] != ',') {
        comma++;
      }
      int a = start;
      int b = comma;
      while (a < b && (bytes[a] & 0xFF) <= ' ') {
        a++;
      }
      while (b > a && (bytes[b - 1] & 0xFF) <= ' ') {
        b--;
      }
      if (equal(bytes, a, b, expected, ignoreCase)) {
        return true;
      }
      start = comma + 1;
      if (start >= to) {
        return false; // the end, or after a trailing comma (no empty last element, as in Netty)
      }
    }
  }

  private static int lower(int c) {
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
  }
}
