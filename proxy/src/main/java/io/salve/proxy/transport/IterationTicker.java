package io.salve.proxy.transport;

import io.netty.util.concurrent.Ticker;
import java.util.concurrent.TimeUnit;

/**
 * An event loop's clock for deadlines that may run early by one pass of the loop: it reads the
 * system clock once per pass, on first use, and answers every later read in that pass with the same
 * value. A request moves its connection's idle and head deadlines six or seven times; reading the
 * clock for each of them was about 2% of the CPU on the users' benchmark run, most of it for values
 * a few microseconds apart. Not for durations that are reported (latencies, the access log): those
 * read the exact clock. Read and reset only from its own loop's thread.
 */
final class IterationTicker implements Ticker {
  private final Ticker exact;
  private long now;
  private boolean fresh;

  IterationTicker(Ticker exact) {
    this.exact = exact;
  }

  /** A new pass of the loop begins (before it waits for I/O): the next read takes the clock again. */
  void newPass() {
    fresh = false;
  }

  @Override
  public long nanoTime() {
    if (!fresh) {
      now = exact.nanoTime();
      fresh = true;
    }
    return now;
  }

  @Override
  public long initialNanoTime() {
    return exact.initialNanoTime();
  }

  @Override
  public void sleep(long delay, TimeUnit unit) throws InterruptedException {
    exact.sleep(delay, unit);
  }
}
