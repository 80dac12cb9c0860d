package io.salve.proxy.shed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class LatencyWindowTest {
  private static final long MS = 1_000_000L;
  private final LatencyWindow window = LatencyWindow.create();

  @Test
  void emptyIntervalIsZero() {
    assertThat(window.p99NanosAndReset()).isZero();
  }

  @Test
  void p99OfKnownDataIsWithinOnePercent() {
    List<Long> values = new ArrayList<>();
    for (long i = 1; i <= 1000; i++) {
      values.add(i * MS);
    }
    Collections.shuffle(values, new Random(42));
    values.forEach(window::record);
    // 990 of 1000 values are <= 990ms.
    assertThat((double) window.p99NanosAndReset()).isCloseTo(990.0 * MS, within(9.9 * MS));
  }

  @Test
  void p99SeesTheTailNotTheBulk() {
    for (int i = 0; i < 980; i++) {
      window.record(2 * MS);
    }
    for (int i = 0; i < 20; i++) {
      window.record(800 * MS);
    }
    assertThat((double) window.p99NanosAndReset()).isCloseTo(800.0 * MS, within(8.0 * MS));
  }

  @Test
  void eachIntervalStartsEmpty() {
    window.record(700 * MS);
    assertThat(window.p99NanosAndReset()).isGreaterThan(690 * MS);
    assertThat(window.p99NanosAndReset()).isZero();
    window.record(3 * MS);
    assertThat((double) window.p99NanosAndReset()).isCloseTo(3.0 * MS, within(0.03 * MS));
  }

  @Test
  void clampsOutOfRangeValues() {
    window.record(Long.MAX_VALUE);
    assertThat((double) window.p99NanosAndReset())
        .isCloseTo(LatencyWindow.MAX_TRACKABLE_NANOS, within(LatencyWindow.MAX_TRACKABLE_NANOS * 0.01));
    window.record(-5);
    window.record(0);
    assertThat(window.p99NanosAndReset()).isLessThanOrEqualTo(1_000L);
  }

  @Test
  void recordsFromManyThreads() throws InterruptedException {
    int threads = 4;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread worker =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
                for (int i = 0; i < 10_000; i++) {
                  window.record(5 * MS);
                }
              });
      worker.start();
      workers.add(worker);
    }
    start.countDown();
    for (Thread worker : workers) {
      worker.join();
    }
    assertThat((double) window.p99NanosAndReset()).isCloseTo(5.0 * MS, within(0.05 * MS));
  }
}
