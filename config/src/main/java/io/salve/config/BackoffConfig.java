package io.salve.config;

import java.time.Duration;

/**
 * Exponential backoff.
 *
 * @param initial first delay (default 50ms)
 * @param max cap (default 1s)
 * @param multiplier growth per attempt, at least 1 (default 2.0)
 * @param jitter randomisation (default full)
 */
public record BackoffConfig(Duration initial, Duration max, double multiplier, Jitter jitter) {

  /** How a computed delay is randomised. */
  public enum Jitter {
    FULL,
    EQUAL,
    DECORRELATED,
    NONE
  }
}
