package io.salve.proxy.resilience;

import io.salve.config.OutlierDetectionConfig;
import io.salve.proxy.util.Ticker;
import java.util.Collection;
import java.util.Map;

/**
 * Passive outlier ejection for the endpoints of one upstream: an endpoint that fails {@code
 * consecutiveFailures} times in a row is taken out of rotation for {@code min(maxEjectionTime,
 * baseEjectionTime x n)}, n counting its ejections including this one. No ejection may take more
 * than {@code maxEjectionPercent} of the endpoint set out at once, but one endpoint may always be
 * ejected. Ejections expire lazily, when next looked at.
 *
 * <p>Endpoints are {@code host:port} strings. Until {@link #setEndpoints} is first called, an
 * endpoint is tracked from its first failure; afterwards the set given there is authoritative and
 * failures of other endpoints (e.g. late ones of a removed endpoint) are ignored.
 *
 * <p>Thread-safe and non-blocking; shared by all event loops.
 */
public interface OutlierDetector {

  /**
   * @param upstream the upstream's name, passed to listeners
   * @param config the ejection configuration
   * @param ticker the monotonic clock
   * @return a detector with no endpoints
   */
  static OutlierDetector of(String upstream, OutlierDetectionConfig config, Ticker ticker) {
    return new DefaultOutlierDetector(upstream, config, ticker);
  }

  /** An attempt on {@code endpoint} succeeded: its consecutive failures are reset. */
  void onSuccess(String endpoint);

  /**
   * An attempt on {@code endpoint} failed. Failures of an endpoint that is already ejected are
   * ignored.
   *
   * @return whether this failure ejected the endpoint
   */
  boolean onFailure(String endpoint);

  /**
   * @return whether {@code endpoint} is out of rotation now; an expired ejection is lifted here
   *     (listeners are notified)
   */
  boolean isEjected(String endpoint);

  /** Returns an ejected endpoint to rotation at once, e.g. after a passing health probe. */
  void unEject(String endpoint);

  /** @return how many times {@code endpoint} has been ejected, 0 if unknown */
  int ejections(String endpoint);

  /** @return how many endpoints are ejected now */
  int ejectedCount();

  /**
   * Replaces the endpoint set. New endpoints start healthy; the state of removed ones is dropped,
   * and with it their share of the ejection limit.
   */
  void setEndpoints(Collection<String> endpoints);

  /** Adds an observer of ejections. */
  void addListener(OutlierListener listener);

  /**
   * @return a snapshot for the admin API: {@code ejected}, {@code ejections}, {@code
   *     consecutiveFailures} and {@code remainingEjectionMillis} (0 unless ejected)
   */
  Map<String, Object> describe(String endpoint);
}
