package io.salve.proxy.resilience;

import io.salve.config.BackoffConfig;
import java.util.random.RandomGenerator;

/**
 * The delay before a retry: exponential growth from {@code initial} by {@code multiplier} up to
 * {@code max}, randomised by the configured jitter. With {@code base = min(max, initial x
 * multiplier^(retry-1))}:
 *
 * <ul>
 *   <li>{@code FULL}: uniform in [0, base)
 *   <li>{@code EQUAL}: base/2 plus uniform in [0, base/2)
 *   <li>{@code DECORRELATED}: min(max, uniform in [initial, 3 x previous)), previous being {@code
 *       initial} for the first retry; it ignores {@code retry} and {@code multiplier}
 *   <li>{@code NONE}: base
 * </ul>
 *
 * <p>Stateless and thread-safe; the caller keeps the previous delay and supplies the randomness.
 */
public interface Backoff {

  /**
   * @param config the backoff configuration
   * @return the backoff it describes
   */
  static Backoff of(BackoffConfig config) {
    return new ExponentialBackoff(config);
  }

  /**
   * @param retry 1 for the first retry (the second attempt), 2 for the next, and so on
   * @param previousDelayNanos the delay returned for the previous retry, or 0 for the first
   * @param random the source of jitter
   * @return the delay in nanoseconds, never negative and never above {@code max}
   */
  long delayNanos(int retry, long previousDelayNanos, RandomGenerator random);
}
