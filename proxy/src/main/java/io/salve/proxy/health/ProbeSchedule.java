package io.salve.proxy.health;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * When to run the next health probe. Jitter keeps many sidecars probing the same upstream from
 * synchronising into bursts.
 */
public final class ProbeSchedule {

  private ProbeSchedule() {}

  /**
   * The delay between two probes of one endpoint: {@code interval} plus a uniform jitter in {@code
   * [0, interval / 10]} (both bounds inclusive, in whole nanoseconds).
   *
   * @param interval the configured probe interval; must be positive
   * @param random the source of jitter
   * @return the delay in nanoseconds, within {@code [interval, 1.1 * interval]}
   * @throws IllegalArgumentException if {@code interval} is not positive
   */
  public static long nextDelayNanos(Duration interval, RandomGenerator random) {
    long nanos = positiveNanos(interval);
    long maxJitter = nanos / 10;
    // nextLong(origin, bound) excludes bound; +1 makes the full 10% reachable. It cannot overflow
    // because maxJitter <= Long.MAX_VALUE / 10.
    long jitter = random.nextLong(0, maxJitter + 1);
    // Saturate rather than wrap for absurd intervals near Long.MAX_VALUE nanos (~292 years).
    return nanos > Long.MAX_VALUE - jitter ? Long.MAX_VALUE : nanos + jitter;
  }

  /**
   * The delay before an endpoint's first probe: uniform in {@code [0, interval)}, so sidecars that
   * start together do not probe in lockstep.
   *
   * @param interval the configured probe interval; must be positive
   * @param random the source of the offset
   * @return the delay in nanoseconds, within {@code [0, interval)}
   * @throws IllegalArgumentException if {@code interval} is not positive
   */
  public static long firstDelayNanos(Duration interval, RandomGenerator random) {
    return random.nextLong(positiveNanos(interval));
  }

  private static long positiveNanos(Duration interval) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("probe interval must be positive: " + interval);
    }
    return interval.toNanos();
  }
}
