package io.salve.proxy.shed;

import io.salve.config.AdaptiveConcurrencyConfig;
import io.salve.config.Criticality;
import io.salve.proxy.util.Ticker;
import java.util.Objects;
import java.util.Optional;

/**
 * A per-listener concurrency limit that adapts to observed round-trip times, admitting requests in
 * criticality order.
 *
 * <p>The limit is Netflix concurrency-limits' {@code Gradient2Limit}, between {@link
 * AdaptiveConcurrencyConfig#minLimit()} and {@link AdaptiveConcurrencyConfig#maxLimit()}, starting
 * at {@code max(minLimit, min(maxLimit, 100))}. A request of each criticality is admitted while the
 * requests already in flight are below a share of the limit, so lower tiers are refused first as
 * concurrency approaches the limit:
 *
 * <ul>
 *   <li>{@link Criticality#SHEDDABLE}: inflight {@code < 0.75 x limit}
 *   <li>{@link Criticality#NORMAL}: inflight {@code < 0.9 x limit}
 *   <li>{@link Criticality#CRITICAL}: inflight {@code < limit}
 * </ul>
 *
 * <p>Every admitted request gets a {@link Token} that must be completed exactly once; later
 * completions are ignored. Acquiring and completing are lock-free and safe from any thread.
 */
public interface AdaptiveLimiter {

  /**
   * @param config the listener's adaptive concurrency settings
   * @param ticker the clock for round-trip times
   * @return a gradient limiter, or one that admits everything when {@code config} is disabled
   */
  static AdaptiveLimiter of(AdaptiveConcurrencyConfig config, Ticker ticker) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(ticker, "ticker");
    if (!config.enabled()) {
      return UnlimitedLimiter.INSTANCE;
    }
    return GradientLimiter.create(config.minLimit(), config.maxLimit(), ticker);
  }

  /**
   * @param criticality the route's criticality
   * @return a token to complete when the request ends, or empty when it must be refused ({@link
   *     ShedReason#CONCURRENCY_LIMIT})
   */
  Optional<Token> tryAcquire(Criticality criticality);

  /** @return the current limit; {@link Integer#MAX_VALUE} when disabled */
  int limit();

  /** @return requests holding a token now; always 0 when disabled */
  int inflight();

  /** One admitted request. Exactly one completion counts; the others do nothing. */
  interface Token {
    /** The request completed; its round trip since acquisition is a latency sample. */
    void onSuccess();

    /**
     * The request timed out or was rejected for overload upstream: a drop sample. (Gradient2 reads
     * overload from the round trip, which for a timeout is long.)
     */
    void onDropped();

    /** The request ended without saying anything about load (e.g. a client error or cancel). */
    void onIgnore();
  }
}
