package io.salve.proxy.tls;

import io.salve.proxy.util.Ticker;
import java.util.concurrent.ConcurrentHashMap;

/**
 * At most one log line per key (e.g. listener and reason) per interval, so a scanner or a broken
 * client cannot flood the log; the next line says how many were left out. A plain decision object:
 * the ticker is injected, the caller logs.
 */
public final class FailureLogLimiter {
  /** Guarded by itself. */
  private static final class Slot {
    /** Nanos of the last line logged; only meaningful once {@code logged} is set. */
    long last;
    boolean logged;
    long suppressed;
  }

  private final Ticker ticker;
  private final long intervalNanos;
  private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();

  public FailureLogLimiter(Ticker ticker, long intervalNanos) {
    this.ticker = ticker;
    this.intervalNanos = intervalNanos;
  }

  /**
   * @return -1 when this event must not be logged; otherwise the number of events left out since the
   *     last line logged for the key (to say in the line)
   */
  public long admit(String key) {
    Slot s = slots.computeIfAbsent(key, k -> new Slot());
    long now = ticker.nanos();
    synchronized (s) {
      if (s.logged && now - s.last < intervalNanos) {
        s.suppressed++;
        return -1;
      }
      s.logged = true;
      s.last = now;
      long left = s.suppressed;
      s.suppressed = 0;
      return left;
    }
  }
}
