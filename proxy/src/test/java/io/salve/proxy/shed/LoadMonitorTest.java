package io.salve.proxy.shed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LoadMonitorTest {
  @Test
  void keepsEvaluatingAfterAnEvaluationThrows() throws Exception {
    CountDownLatch runs = new CountDownLatch(3);
    AtomicInteger threadChecks = new AtomicInteger();
    try (LoadMonitor monitor = new LoadMonitor(Duration.ofMillis(10), null)) {
      monitor.start(
          () -> {
            if (Thread.currentThread().getName().equals("salve-load-monitor")) {
              threadChecks.incrementAndGet();
            }
            runs.countDown();
            throw new IllegalStateException("boom");
          });
      assertThat(runs.await(10, TimeUnit.SECONDS)).as("three evaluations despite failures").isTrue();
    }
    assertThat(threadChecks.get()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void stopsEvaluatingWhenClosed() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch first = new CountDownLatch(1);
    LoadMonitor monitor = new LoadMonitor(Duration.ofMillis(10), null);
    monitor.start(
        () -> {
          runs.incrementAndGet();
          first.countDown();
        });
    assertThat(first.await(10, TimeUnit.SECONDS)).isTrue();

    monitor.close();
    int afterClose = runs.get();
    // A run already under way when close() interrupted the scheduler may still finish: allow one.
    CountDownLatch never = new CountDownLatch(1);
    assertThat(never.await(100, TimeUnit.MILLISECONDS)).isFalse();
    assertThat(runs.get()).isLessThanOrEqualTo(afterClose + 1);

    monitor.start(runs::incrementAndGet); // closed: no restart
    assertThat(never.await(50, TimeUnit.MILLISECONDS)).isFalse();
    assertThat(runs.get()).isLessThanOrEqualTo(afterClose + 1);
  }

  @Test
  void rejectsANonPositiveInterval() {
    assertThatThrownBy(() -> new LoadMonitor(Duration.ZERO, null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
