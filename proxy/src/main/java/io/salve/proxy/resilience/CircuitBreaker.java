package io.salve.proxy.resilience;

import io.salve.config.CircuitBreakerConfig;
import io.salve.proxy.util.Ticker;
import java.util.Map;

/**
 * The circuit breaker of one upstream: it stops sending requests to an upstream that keeps failing,
 * and lets a few trial requests through after a while to find out whether it has recovered.
 *
 * <ul>
 *   <li>{@link CircuitState#CLOSED}: every request is permitted. {@code failureThreshold}
 *       consecutive failures open it, and so does, when configured, a failure rate at or above the
 *       threshold over the sliding window once it holds {@code minimumRequests} outcomes.
 *   <li>{@link CircuitState#OPEN}: requests are refused for {@code openDuration}, after which the
 *       breaker becomes half-open.
 *   <li>{@link CircuitState#HALF_OPEN}: at most {@code halfOpenMaxRequests} trials are in flight at
 *       once; one failed trial reopens it for a fresh open duration, {@code successThreshold}
 *       successful trials in a row close it with all counters reset.
 * </ul>
 *
 * <p>Usage: every attempt that got a permission ends with exactly one of {@link
 * #onSuccess()}, {@link #onFailure()} or {@link #releasePermission()}. The caller decides whether
 * an outcome is a failure, with {@link AttemptOutcome#isFailure} against the configured {@code
 * failOn}.
 *
 * <p>Outcomes of attempts that started in an earlier state must not corrupt the current one: while
 * open every outcome is ignored, and while half-open an outcome counts only if a trial is in
 * flight. To attribute outcomes exactly, use the permit-stamped variants ({@link
 * #tryAcquirePermit()} and the methods taking a permit): an outcome stamped with a permit from
 * before the last transition is ignored.
 *
 * <p>Thread-safe and non-blocking; shared by all event loops.
 */
public interface CircuitBreaker {

  /** Returned by {@link #tryAcquirePermit()} when no permission was granted. */
  long NO_PERMIT = -1L;

  /**
   * @param upstream the upstream's name, passed to listeners
   * @param config the breaker's configuration
   * @param ticker the monotonic clock
   * @return a closed breaker
   */
  static CircuitBreaker of(String upstream, CircuitBreakerConfig config, Ticker ticker) {
    return new DefaultCircuitBreaker(upstream, config, ticker);
  }

  /**
   * Asks to send one attempt. An open breaker whose open duration has elapsed becomes half-open
   * here (listeners are notified) and grants the first trial.
   *
   * @return whether the attempt may be sent; if so, report how it ended
   */
  default boolean tryAcquirePermission() {
    return tryAcquirePermit() != NO_PERMIT;
  }

  /**
   * Like {@link #tryAcquirePermission()}, but returns a permit stamped with the breaker's current
   * generation, so the outcome can be attributed exactly.
   *
   * @return a non-negative permit, or {@link #NO_PERMIT}
   */
  long tryAcquirePermit();

  /** The permitted attempt succeeded (its outcome is not a failure under {@code failOn}). */
  default void onSuccess() {
    onSuccess(NO_PERMIT);
  }

  /** The permitted attempt failed (its outcome is a failure under {@code failOn}). */
  default void onFailure() {
    onFailure(NO_PERMIT);
  }

  /** The permitted attempt ended without a countable outcome (e.g. it was cancelled). */
  default void releasePermission() {
    releasePermission(NO_PERMIT);
  }

  /**
   * Like {@link #onSuccess()}; ignored if {@code permit} is from before the last transition.
   *
   * @param permit from {@link #tryAcquirePermit()}, or {@link #NO_PERMIT} when unknown
   */
  void onSuccess(long permit);

  /**
   * Like {@link #onFailure()}; ignored if {@code permit} is from before the last transition.
   *
   * @param permit from {@link #tryAcquirePermit()}, or {@link #NO_PERMIT} when unknown
   */
  void onFailure(long permit);

  /**
   * Like {@link #releasePermission()}; ignored if {@code permit} is from before the last
   * transition.
   *
   * @param permit from {@link #tryAcquirePermit()}, or {@link #NO_PERMIT} when unknown
   */
  void releasePermission(long permit);

  /**
   * @return the current state; an open breaker whose open duration has elapsed becomes half-open
   *     here (listeners are notified)
   */
  CircuitState state();

  /** @return nanoseconds until an open breaker becomes half-open; 0 unless open */
  long remainingOpenNanos();

  /** Adds an observer of state transitions. */
  void addListener(CircuitBreakerListener listener);

  /**
   * @return a snapshot for the admin API: {@code state} ({@link CircuitState#key()}), {@code
   *     consecutiveFailures}, {@code remainingOpenMillis}, and {@code failureRate} (failures over
   *     outcomes in the window, 0 when empty) when rate-based opening is configured
   */
  Map<String, Object> describe();
}
