package io.salve.proxy.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.salve.config.BackoffConfig;
import io.salve.config.BackoffConfig.Jitter;
import java.time.Duration;
import java.util.Random;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private static final long MS = 1_000_000L;
  private static final int SAMPLES = 10_000;

  private final RandomGenerator random = new Random(42);

  private static Backoff backoff(Jitter jitter) {
    return Backoff.of(
        new BackoffConfig(Duration.ofMillis(50), Duration.ofSeconds(1), 2.0, jitter));
  }

  @Test
  void none_growsByMultiplierAndCapsAtMax() {
    Backoff backoff = backoff(Jitter.NONE);
    assertThat(backoff.delayNanos(1, 0, random)).isEqualTo(50 * MS);
    assertThat(backoff.delayNanos(2, 0, random)).isEqualTo(100 * MS);
    assertThat(backoff.delayNanos(3, 0, random)).isEqualTo(200 * MS);
    assertThat(backoff.delayNanos(5, 0, random)).isEqualTo(800 * MS);
    assertThat(backoff.delayNanos(6, 0, random)).isEqualTo(1000 * MS);
  }

  @Test
  void none_hugeRetryNumbersDoNotOverflow() {
    Backoff backoff = backoff(Jitter.NONE);
    assertThat(backoff.delayNanos(64, 0, random)).isEqualTo(1000 * MS);
    assertThat(backoff.delayNanos(10_000, 0, random)).isEqualTo(1000 * MS);
    assertThat(backoff.delayNanos(Integer.MAX_VALUE, 0, random)).isEqualTo(1000 * MS);
  }

  @Test
  void hugeMaxAndMultiplier_saturateInsteadOfOverflowing() {
    Backoff backoff =
        Backoff.of(
            new BackoffConfig(
                Duration.ofSeconds(1), Duration.ofSeconds(Long.MAX_VALUE), 1e6, Jitter.NONE));
    assertThat(backoff.delayNanos(100, 0, random)).isEqualTo(Long.MAX_VALUE);
    Backoff full =
        Backoff.of(
            new BackoffConfig(
                Duration.ofSeconds(1), Duration.ofSeconds(Long.MAX_VALUE), 1e6, Jitter.FULL));
    assertThat(full.delayNanos(100, 0, random)).isBetween(0L, Long.MAX_VALUE);
  }

  @Test
  void multiplierOne_isConstant() {
    Backoff backoff =
        Backoff.of(
            new BackoffConfig(Duration.ofMillis(50), Duration.ofSeconds(1), 1.0, Jitter.NONE));
    assertThat(backoff.delayNanos(1, 0, random)).isEqualTo(50 * MS);
    assertThat(backoff.delayNanos(30, 0, random)).isEqualTo(50 * MS);
  }

  @Test
  void full_staysInZeroToBaseAndAveragesHalfOfIt() {
    Backoff backoff = backoff(Jitter.FULL);
    for (int retry = 1; retry <= 8; retry++) {
      long base = Math.min(1000 * MS, 50 * MS << (retry - 1));
      long sum = 0;
      for (int i = 0; i < SAMPLES; i++) {
        long d = backoff.delayNanos(retry, 0, random);
        assertThat(d).isBetween(0L, base);
        sum += d;
      }
      assertThat((double) sum / SAMPLES).isCloseTo(base / 2.0, within(base * 0.02));
    }
  }

  @Test
  void full_spreadsOverTheWholeRange() {
    Backoff backoff = backoff(Jitter.FULL);
    long min = Long.MAX_VALUE;
    long max = 0;
    for (int i = 0; i < SAMPLES; i++) {
      long d = backoff.delayNanos(3, 0, random);
      min = Math.min(min, d);
      max = Math.max(max, d);
    }
    assertThat(min).isLessThan(2 * MS);
    assertThat(max).isGreaterThan(198 * MS);
  }

  @Test
  void equal_staysInHalfBaseToBase() {
    Backoff backoff = backoff(Jitter.EQUAL);
    for (int retry = 1; retry <= 8; retry++) {
      long base = Math.min(1000 * MS, 50 * MS << (retry - 1));
      long sum = 0;
      for (int i = 0; i < SAMPLES; i++) {
        long d = backoff.delayNanos(retry, 0, random);
        assertThat(d).isBetween(base / 2, base);
        sum += d;
      }
      assertThat((double) sum / SAMPLES).isCloseTo(base * 0.75, within(base * 0.02));
    }
  }

  @Test
  void decorrelated_firstRetryUsesInitialAsPrevious() {
    Backoff backoff = backoff(Jitter.DECORRELATED);
    for (int i = 0; i < SAMPLES; i++) {
      assertThat(backoff.delayNanos(1, 0, random)).isBetween(50 * MS, 150 * MS);
    }
  }

  @Test
  void decorrelated_staysBetweenInitialAndThreeTimesPreviousCappedAtMax() {
    Backoff backoff = backoff(Jitter.DECORRELATED);
    for (int chain = 0; chain < 1_000; chain++) {
      long previous = 0;
      for (int retry = 1; retry <= 10; retry++) {
        long d = backoff.delayNanos(retry, previous, random);
        long upper = Math.min(1000 * MS, 3 * (previous == 0 ? 50 * MS : previous));
        assertThat(d).isBetween(50 * MS, upper);
        previous = d;
      }
    }
  }

  @Test
  void decorrelated_reachesTheCap() {
    Backoff backoff = backoff(Jitter.DECORRELATED);
    int capped = 0;
    for (int i = 0; i < SAMPLES; i++) {
      if (backoff.delayNanos(4, 900 * MS, random) == 1000 * MS) {
        capped++;
      }
    }
    // uniform(50ms, 2700ms) is above 1000ms about 64% of the time.
    assertThat(capped).isBetween(SAMPLES / 2, SAMPLES * 3 / 4);
  }

  @Test
  void sameSeed_sameDelays() {
    Backoff backoff = backoff(Jitter.FULL);
    long[] first = new long[5];
    Random seeded = new Random(7);
    for (int i = 0; i < first.length; i++) {
      first[i] = backoff.delayNanos(i + 1, 0, seeded);
    }
    seeded = new Random(7);
    for (int i = 0; i < first.length; i++) {
      assertThat(backoff.delayNanos(i + 1, 0, seeded)).isEqualTo(first[i]);
    }
  }
}
