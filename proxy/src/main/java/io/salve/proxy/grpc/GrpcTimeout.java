package io.salve.proxy.grpc;

/**
 * The {@code grpc-timeout} header: {@code TimeoutValue TimeoutUnit}, at most 8 ASCII digits and one of
 * {@code H M S m u n} (hours to nanoseconds), per gRPC over HTTP/2.
 */
public final class GrpcTimeout {
  private static final int MAX_DIGITS = 8;
  private static final long MAX_VALUE = 99_999_999L;
  /** Units from the finest up, with their length in nanoseconds. */
  private static final char[] UNITS = {'n', 'u', 'm', 'S', 'M', 'H'};
  private static final long[] UNIT_NANOS = {1L, 1_000L, 1_000_000L, 1_000_000_000L, 60_000_000_000L, 3_600_000_000_000L};

  private GrpcTimeout() {}

  /** @return the timeout in nanoseconds (saturating at Long.MAX_VALUE), or -1 when {@code text} is not a valid value */
  public static long parseNanos(CharSequence text) {
    int n = text.length();
    if (n < 2 || n > MAX_DIGITS + 1) {
      return -1;
    }
    long value = 0;
    for (int i = 0; i < n - 1; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    char unit = text.charAt(n - 1);
    for (int u = 0; u < UNITS.length; u++) {
      if (UNITS[u] == unit) {
        long nanos = UNIT_NANOS[u];
        return value > Long.MAX_VALUE / nanos ? Long.MAX_VALUE : value * nanos;
      }
    }
    return -1;
  }

  /**
   * @param nanos a remaining time, at least 0
   * @return it as a header value, in the finest unit whose value fits in 8 digits (rounded up, so a
   *     remaining time is never shortened to zero by formatting)
   */
  public static String format(long nanos) {
    long remaining = Math.max(0, nanos);
    for (int u = 0; u < UNITS.length; u++) {
      long value = ceilDiv(remaining, UNIT_NANOS[u]);
      if (value <= MAX_VALUE) {
        return Long.toString(value) + UNITS[u];
      }
    }
    return MAX_VALUE + "H";
  }

  private static long ceilDiv(long a, long b) {
    return a / b + (a % b == 0 ? 0 : 1);
  }
}
