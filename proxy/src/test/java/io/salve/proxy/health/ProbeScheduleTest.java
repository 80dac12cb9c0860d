package io.salve.proxy.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class ProbeScheduleTest {

  private static final int SAMPLES = 100_000;

  @Test
  void nextDelayStaysWithinIntervalAndTenPercentMore() {
    Duration interval = Duration.ofSeconds(5);
    long nanos = interval.toNanos();
    RandomGenerator random = new SplittableRandom(42);

    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < SAMPLES; i++) {
      long delay = ProbeSchedule.nextDelayNanos(interval, random);
      min = Math.min(min, delay);
      max = Math.max(max, delay);
    }

    assertThat(min).isGreaterThanOrEqualTo(nanos);
    assertThat(max).isLessThanOrEqualTo(nanos + nanos / 10);
    // The jitter actually spreads over the whole range rather than sitting at one end.
    assertThat(min).isLessThan(nanos + nanos / 1_000);
    assertThat(max).isGreaterThan(nanos + nanos / 10 - nanos / 1_000);
  }

  @Test
  void nextDelayReachesBothBoundsForSmallIntervals() {
    // 100ns: jitter in [0, 10]; with this many samples both ends must appear.
    Duration interval = Duration.ofNanos(100);
    RandomGenerator random = new SplittableRandom(7);

    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < 10_000; i++) {
      long delay = ProbeSchedule.nextDelayNanos(interval, random);
      min = Math.min(min, delay);
      max = Math.max(max, delay);
    }

    assertThat(min).isEqualTo(100);
    assertThat(max).isEqualTo(110);
  }

  @Test
  void nextDelayHasNoJitterBelowTenNanos() {
    assertThat(ProbeSchedule.nextDelayNanos(Duration.ofNanos(9), new SplittableRandom(1)))
        .isEqualTo(9);
  }

  @Test
  void sameSeedGivesSameSchedule() {
    Duration interval = Duration.ofMillis(1_500);
    RandomGenerator a = new SplittableRandom(99);
    RandomGenerator b = new SplittableRandom(99);

    for (int i = 0; i < 100; i++) {
      assertThat(ProbeSchedule.nextDelayNanos(interval, a))
          .isEqualTo(ProbeSchedule.nextDelayNanos(interval, b));
    }
  }

  @Test
  void firstDelayStaysBelowTheInterval() {
    Duration interval = Duration.ofSeconds(5);
    long nanos = interval.toNanos();
    RandomGenerator random = new SplittableRandom(42);

    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < SAMPLES; i++) {
      long delay = ProbeSchedule.firstDelayNanos(interval, random);
      min = Math.min(min, delay);
      max = Math.max(max, delay);
    }

    assertThat(min).isGreaterThanOrEqualTo(0);
    assertThat(max).isLessThan(nanos);
    assertThat(min).isLessThan(nanos / 1_000);
    assertThat(max).isGreaterThan(nanos - nanos / 1_000);
  }

  @Test
  void firstDelayNeverReachesTheIntervalForTinyIntervals() {
    RandomGenerator random = new SplittableRandom(3);
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < 10_000; i++) {
      long delay = ProbeSchedule.firstDelayNanos(Duration.ofNanos(4), random);
      min = Math.min(min, delay);
      max = Math.max(max, delay);
    }

    assertThat(min).isZero();
    assertThat(max).isEqualTo(3);
    assertThat(ProbeSchedule.firstDelayNanos(Duration.ofNanos(1), random)).isZero();
  }

  @Test
  void rejectsNonPositiveIntervals() {
    RandomGenerator random = new SplittableRandom(1);
    assertThatThrownBy(() -> ProbeSchedule.nextDelayNanos(Duration.ZERO, random))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ProbeSchedule.firstDelayNanos(Duration.ofSeconds(-1), random))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
