package io.salve.proxy.resilience;

/**
 * The bulkhead of one upstream: at most {@link #max()} requests in flight at once, so one slow
 * upstream cannot take every connection and buffer of the proxy. Every successful {@link
 * #tryAcquire()} must be matched by exactly one {@link #release()}.
 *
 * <p>Thread-safe and lock-free; shared by all event loops.
 */
public interface ConcurrencyLimit {

  /**
   * @param max the most requests in flight at once, at least 0 (0 refuses everything)
   * @return an empty limit
   */
  static ConcurrencyLimit of(int max) {
    return new AtomicConcurrencyLimit(max);
  }

  /** @return whether a slot was taken; if so, {@link #release()} it when the request ends */
  boolean tryAcquire();

  /**
   * Gives back a slot taken by {@link #tryAcquire()}.
   *
   * @throws IllegalStateException if no slot is taken, which means a release was doubled
   */
  void release();

  /** @return requests in flight now */
  int inFlight();

  /** @return the most requests in flight at once */
  int max();
}
