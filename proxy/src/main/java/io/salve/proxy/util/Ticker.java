package io.salve.proxy.util;

/**
 * A monotonic clock in nanoseconds. Every duration in salve's decisions (breaker windows, budgets,
 * leases, probes, shedding) is measured with one, so tests can advance time exactly.
 */
@FunctionalInterface
public interface Ticker {
  /** @return monotonic nanoseconds; only differences are meaningful. */
  long nanos();

  /** @return the system's monotonic clock. */
  static Ticker system() {
    return System::nanoTime;
  }
}
