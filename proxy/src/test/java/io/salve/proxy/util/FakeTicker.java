package io.salve.proxy.util;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A ticker that moves only when told to. */
public final class FakeTicker implements Ticker {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  @Override
  public long nanos() {
    return now.get();
  }

  /** Moves time forward by {@code d}. */
  public FakeTicker advance(Duration d) {
    now.addAndGet(d.toNanos());
    return this;
  }
}
