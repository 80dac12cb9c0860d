package io.salve.proxy.resilience;

import java.time.Duration;

/** Duration arithmetic that saturates instead of throwing. */
final class Durations {
  private Durations() {}

  /** @return {@code d} in nanoseconds, clamped to [0, Long.MAX_VALUE]; 0 for null */
  static long toNanos(Duration d) {
    if (d == null || d.isNegative()) {
      return 0;
    }
    // Duration.toNanos throws past ~292 years; a cap that large means "forever" anyway.
    return d.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : d.toNanos();
  }

  /** @return {@code a x n} clamped to Long.MAX_VALUE, for non-negative operands */
  static long saturatedMultiply(long a, long n) {
    long hi = Math.multiplyHigh(a, n);
    long lo = a * n;
    return (hi != 0 || lo < 0) ? Long.MAX_VALUE : lo;
  }

  /** @return nanoseconds as whole milliseconds, rounded up so a pending wait never shows as 0 */
  static long ceilMillis(long nanos) {
    return nanos <= 0 ? 0 : (nanos - 1) / 1_000_000 + 1;
  }
}
