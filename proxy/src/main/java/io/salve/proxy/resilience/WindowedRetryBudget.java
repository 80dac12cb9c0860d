package io.salve.proxy.resilience;

import io.salve.config.RetryBudgetConfig;
import io.salve.proxy.util.Ticker;
import java.util.concurrent.TimeUnit;

/** {@link RetryBudget} over two sliding-window counters. */
final class WindowedRetryBudget implements RetryBudget {
  private static final int WINDOW_SECONDS = 10;
  private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(WINDOW_SECONDS);

  private final double ratio;
  private final long floor;
  private final SlidingWindowCounter requests;
  private final SlidingWindowCounter retries;

  WindowedRetryBudget(RetryBudgetConfig config, Ticker ticker) {
    this.ratio = Math.max(0.0, config.ratio());
    this.floor = Math.max(0L, (long) config.minPerSecond() * WINDOW_SECONDS);
    this.requests = new SlidingWindowCounter(ticker, WINDOW_NANOS, WINDOW_SECONDS);
    this.retries = new SlidingWindowCounter(ticker, WINDOW_NANOS, WINDOW_SECONDS);
  }

  @Override
  public void onRequest() {
    requests.add(1);
  }

  @Override
  public boolean tryAcquireRetry() {
    // retries < ratio x requests + floor, for whole retries, is retries < ceil(that).
    long limit = (long) Math.ceil(ratio * requests.sum() + floor);
    return retries.tryIncrement(limit);
  }

  @Override
  public long retriesInWindow() {
    return retries.sum();
  }

  @Override
  public long requestsInWindow() {
    return requests.sum();
  }
}
