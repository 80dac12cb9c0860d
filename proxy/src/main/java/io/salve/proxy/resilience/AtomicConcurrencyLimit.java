package io.salve.proxy.resilience;

import java.util.concurrent.atomic.AtomicInteger;

/** {@link ConcurrencyLimit} as one counter moved by compare-and-set. */
final class AtomicConcurrencyLimit implements ConcurrencyLimit {
  private final int max;
  private final AtomicInteger inFlight = new AtomicInteger();

  AtomicConcurrencyLimit(int max) {
    if (max < 0) {
      throw new IllegalArgumentException("max must be >= 0: " + max);
    }
    this.max = max;
  }

  @Override
  public boolean tryAcquire() {
    while (true) {
      int current = inFlight.get();
      if (current >= max) {
        return false;
      }
      if (inFlight.compareAndSet(current, current + 1)) {
        return true;
      }
    }
  }

  @Override
  public void release() {
    while (true) {
      int current = inFlight.get();
      if (current == 0) {
        // Going negative would silently raise the limit for everyone after.
        throw new IllegalStateException("release without a matching acquire");
      }
      if (inFlight.compareAndSet(current, current - 1)) {
        return;
      }
    }
  }

  @Override
  public int inFlight() {
    return inFlight.get();
  }

  @Override
  public int max() {
    return max;
  }

  @Override
  public String toString() {
    return "ConcurrencyLimit[" + inFlight.get() + "/" + max + "]";
  }
}
