package io.salve.proxy.shed;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InflightCounterTest {
  private final InflightCounter counter = InflightCounter.create();

  @Test
  void countsUpAndDown() {
    assertThat(counter.get()).isZero();
    counter.increment();
    counter.increment();
    counter.increment();
    counter.decrement();
    assertThat(counter.get()).isEqualTo(2);
  }

  @Test
  void neverReadsNegative() {
    counter.decrement();
    assertThat(counter.get()).isZero();
  }

  @Test
  void balancesAcrossThreads() throws InterruptedException {
    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      threads[t] =
          new Thread(
              () -> {
                for (int i = 0; i < 10_000; i++) {
                  counter.increment();
                  counter.decrement();
                }
                counter.increment();
              });
      threads[t].start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(counter.get()).isEqualTo(4);
  }
}
