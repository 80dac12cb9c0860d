package io.salve.proxy.shed;

import java.util.concurrent.atomic.LongAdder;

/**
 * Requests in flight across all event loops, for the {@code inflight} signal. Increments and
 * decrements are contention-free; {@link #get} sums the cells and is meant for the once-per-interval
 * reader.
 */
public final class InflightCounter {
  private final LongAdder count = new LongAdder();

  private InflightCounter() {}

  /** @return a counter at zero */
  public static InflightCounter create() {
    return new InflightCounter();
  }

  /** A request started. */
  public void increment() {
    count.increment();
  }

  /** A request ended; call exactly once per {@link #increment}. */
  public void decrement() {
    count.decrement();
  }

  /**
   * @return requests in flight; never negative (a decrement racing the sum, or an unbalanced one,
   *     reads as 0)
   */
  public int get() {
    long sum = count.sum();
    return (int) Math.max(0, Math.min(Integer.MAX_VALUE, sum));
  }
}
