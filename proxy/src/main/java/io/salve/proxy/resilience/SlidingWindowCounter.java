package io.salve.proxy.resilience;

import io.salve.proxy.util.Ticker;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A lock-free count over a sliding time window made of equal buckets. The window covers the
 * current bucket and the {@code buckets - 1} before it, so an event leaves the sum between
 * {@code (buckets - 1) x bucket} and {@code buckets x bucket} after it happened.
 */
final class SlidingWindowCounter {

  /** A bucket is replaced, never cleared, so a stale reader can at worst count into a dead one. */
  private static final class Bucket extends AtomicLong {
    final long index;

    Bucket(long index) {
      this.index = index;
    }
  }

  private final Ticker ticker;
  private final long bucketNanos;
  private final AtomicReferenceArray<Bucket> buckets;

  SlidingWindowCounter(Ticker ticker, long windowNanos, int bucketCount) {
    if (bucketCount < 1) {
      throw new IllegalArgumentException("bucketCount must be >= 1: " + bucketCount);
    }
    this.ticker = ticker;
    this.bucketNanos = Math.max(1, windowNanos / bucketCount);
    this.buckets = new AtomicReferenceArray<>(bucketCount);
  }

  /** Adds {@code delta} to the current bucket. */
  void add(long delta) {
    current(Math.floorDiv(ticker.nanos(), bucketNanos)).addAndGet(delta);
  }

  /**
   * Adds one if the window's sum stays at most {@code limit}; exact under concurrency because the
   * increment is a compare-and-set on the current bucket against the sum just read.
   *
   * @return whether it was added
   */
  boolean tryIncrement(long limit) {
    long index = Math.floorDiv(ticker.nanos(), bucketNanos);
    Bucket current = current(index);
    while (true) {
      long own = current.get();
      if (sumExcept(index, current) + own >= limit) {
        return false;
      }
      if (current.compareAndSet(own, own + 1)) {
        return true;
      }
    }
  }

  /** @return the sum over the window. */
  long sum() {
    return sumExcept(Math.floorDiv(ticker.nanos(), bucketNanos), null);
  }

  private long sumExcept(long index, Bucket excluded) {
    int n = buckets.length();
    long sum = 0;
    for (int i = 0; i < n; i++) {
      Bucket b = buckets.get(i);
      if (b != null && b != excluded && index - b.index < n && index >= b.index) {
        sum += b.get();
      }
    }
    return sum;
  }

  private Bucket current(long index) {
    int slot = (int) Math.floorMod(index, (long) buckets.length());
    while (true) {
      Bucket b = buckets.get(slot);
      if (b != null && b.index == index) {
        return b;
      }
      // A newer bucket can already be there if this thread's tick was read before another's.
      if (b != null && b.index > index) {
        return b;
      }
      Bucket fresh = new Bucket(index);
      if (buckets.compareAndSet(slot, b, fresh)) {
        return fresh;
      }
    }
  }
}
