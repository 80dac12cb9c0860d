package io.salve.proxy.resilience;

import io.salve.config.RetryBudgetConfig;
import io.salve.proxy.util.Ticker;

/**
 * Caps retries to an upstream so that a struggling upstream is not buried under them: over a
 * sliding 10-second window, retries may not exceed {@code ratio x first attempts + minPerSecond x
 * 10}. The window is ten one-second buckets.
 *
 * <p>Thread-safe and lock-free; shared by all event loops.
 */
public interface RetryBudget {

  /**
   * @param config ratio and floor
   * @param ticker the monotonic clock
   * @return an empty budget
   */
  static RetryBudget of(RetryBudgetConfig config, Ticker ticker) {
    return new WindowedRetryBudget(config, ticker);
  }

  /** Records a first attempt of a request (not a retry). */
  void onRequest();

  /**
   * Takes one retry from the budget. A granted retry counts from now, even while it waits in
   * backoff.
   *
   * @return whether the retry may be made; if so it has been recorded
   */
  boolean tryAcquireRetry();

  /** @return retries granted in the window */
  long retriesInWindow();

  /** @return first attempts recorded in the window */
  long requestsInWindow();
}
