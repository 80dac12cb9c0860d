package io.salve.proxy.coord;

import io.salve.proxy.util.Ticker;
import java.time.Duration;

/**
 * Decides whether this instance may still believe its lease is alive on etcd.
 *
 * <p>etcd extends a lease to {@code ttl} from the moment it processes a keep-alive, which is after
 * salve sent it; so {@code sent + ttl} is a lower bound of the lease's expiry as measured by salve's
 * monotonic clock (assuming the two clocks advance at about the same rate). Salve stops trusting
 * the lease a {@linkplain #margin(Duration) margin} earlier, to absorb clock-rate drift, a pause of
 * this process and the time an app takes to act on the answer. Renewals are measured from when
 * they were <em>sent</em>, never from when the answer arrived.
 *
 * <p>Not thread-safe: owned by the coordination thread.
 */
public final class LeaseGuard {
  private static final Duration MIN_MARGIN = Duration.ofMillis(500);

  private final Ticker ticker;
  private final long trustNanos;
  private long lastRenewalSentNanos;
  private boolean renewed;

  /** @param ttl the lease TTL salve asked for (etcd may grant more, never less) */
  public LeaseGuard(Duration ttl, Ticker ticker) {
    this.ticker = ticker;
    this.trustNanos = ttl.minus(margin(ttl)).toNanos();
  }

  /** @return how much earlier than the lease's earliest expiry salve steps down: ttl/4, at least 500ms, at most ttl/2. */
  public static Duration margin(Duration ttl) {
    Duration quarter = ttl.dividedBy(4);
    Duration m = quarter.compareTo(MIN_MARGIN) < 0 ? MIN_MARGIN : quarter;
    Duration half = ttl.dividedBy(2);
    return m.compareTo(half) > 0 ? half : m;
  }

  /** Records a grant or keep-alive that etcd confirmed, by the time its request was sent. */
  public void renewed(long sentNanos) {
    if (!renewed || sentNanos - lastRenewalSentNanos > 0) {
      lastRenewalSentNanos = sentNanos;
    }
    renewed = true;
  }

  /** @return whether the lease is surely still alive on etcd (with the margin). */
  public boolean trusted() {
    return renewed && ticker.nanos() - lastRenewalSentNanos < trustNanos;
  }

  /** @return nanoseconds until {@link #trusted()} turns false without a renewal (0 if already). */
  public long nanosUntilDistrust() {
    if (!renewed) {
      return 0;
    }
    return Math.max(0, trustNanos - (ticker.nanos() - lastRenewalSentNanos));
  }
}
