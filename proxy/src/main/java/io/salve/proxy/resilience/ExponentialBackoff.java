package io.salve.proxy.resilience;

import io.salve.config.BackoffConfig;
import java.util.Objects;
import java.util.random.RandomGenerator;

/** {@link Backoff} by the formulas documented there. */
final class ExponentialBackoff implements Backoff {
  private final long initialNanos;
  private final long maxNanos;
  private final double multiplier;
  private final BackoffConfig.Jitter jitter;

  ExponentialBackoff(BackoffConfig config) {
    this.maxNanos = Durations.toNanos(config.max());
    this.initialNanos = Math.min(maxNanos, Durations.toNanos(config.initial()));
    this.multiplier = Math.max(1.0, config.multiplier());
    this.jitter = Objects.requireNonNull(config.jitter(), "jitter");
  }

  @Override
  public long delayNanos(int retry, long previousDelayNanos, RandomGenerator random) {
    return switch (jitter) {
      case NONE -> base(retry);
      case FULL -> uniform(random, 0, base(retry));
      case EQUAL -> {
        long base = base(retry);
        long half = base / 2;
        yield half + uniform(random, 0, base - half);
      }
      case DECORRELATED -> {
        long previous = previousDelayNanos <= 0 ? initialNanos : previousDelayNanos;
        long upper = Durations.saturatedMultiply(previous, 3);
        yield Math.min(maxNanos, uniform(random, initialNanos, upper));
      }
    };
  }

  /** @return min(max, initial x multiplier^(retry-1)) without overflowing for any retry */
  long base(int retry) {
    // Doubles saturate to Infinity instead of wrapping, and the comparison below catches that.
    double raw = initialNanos * Math.pow(multiplier, Math.max(0, retry - 1));
    return raw >= maxNanos ? maxNanos : (long) raw;
  }

  private static long uniform(RandomGenerator random, long from, long to) {
    return to <= from ? from : random.nextLong(from, to);
  }
}
