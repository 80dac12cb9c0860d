package io.salve.proxy.resilience;

import io.salve.proxy.util.Ticker;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Decides, after each failed attempt of one request, whether to try again and after how long. One
 * planner per request; not thread-safe (a request lives on one event loop).
 *
 * <p>A retry happens only when every one of these holds: attempts remain; the outcome is in
 * {@code retryOn} and safe to replay for the method ({@link RetryPolicy#isRetryable}); the request
 * body can be sent again; the circuit is not open; the next attempt would start before both the
 * route deadline and {@code maxElapsed}; and the upstream's retry budget grants it. The wait is the
 * upstream's {@code Retry-After} on a 429 or 503, else the jittered backoff; a {@code Retry-After}
 * that does not fit the remaining time means no retry ({@link Verdict#RETRY_AFTER_TOO_LONG}), so the
 * upstream's answer reaches the client instead of an earlier attempt than it asked for.
 */
public final class RetryPlanner {
  /** Why no retry happens, or {@link #RETRY}. */
  public enum Verdict {
    RETRY,
    NOT_RETRYABLE,
    MAX_ATTEMPTS,
    BODY_NOT_REPLAYABLE,
    CIRCUIT_OPEN,
    DEADLINE,
    RETRY_AFTER_TOO_LONG,
    BUDGET_EXHAUSTED
  }

  /**
   * @param verdict the decision
   * @param delayNanos the wait before the next attempt, when retrying
   */
  public record Decision(Verdict verdict, long delayNanos) {
    public boolean retry() {
      return verdict == Verdict.RETRY;
    }
  }

  private final RetryPolicy policy;
  private final RetryBudget budget;
  private final CircuitBreaker breaker;
  private final Ticker ticker;
  private final RandomGenerator random;
  private final Supplier<Instant> wallClock;
  private final String method;
  private final boolean hasIdempotencyKey;
  private final long startNanos;
  private final long stopNanos;
  private int retries;
  private long previousDelay;

  /**
   * @param breaker the upstream's breaker, or null
   * @param startNanos when the request started, as a ticker value ({@code maxElapsed} counts from it)
   * @param deadlineNanos the route deadline as a ticker value, or {@code Long.MAX_VALUE} for none
   */
  public RetryPlanner(
      RetryPolicy policy,
      RetryBudget budget,
      CircuitBreaker breaker,
      Ticker ticker,
      RandomGenerator random,
      Supplier<Instant> wallClock,
      String method,
      boolean hasIdempotencyKey,
      long startNanos,
      long deadlineNanos) {
    this.policy = policy;
    this.budget = budget;
    this.breaker = breaker;
    this.ticker = ticker;
    this.random = random;
    this.wallClock = wallClock;
    this.method = method;
    this.hasIdempotencyKey = hasIdempotencyKey;
    this.startNanos = startNanos;
    long stop = deadlineNanos;
    if (policy.maxElapsed() != null) {
      stop = Math.min(stop, saturatedAdd(startNanos, policy.maxElapsed().toNanos()));
    }
    this.stopNanos = stop;
  }

  /**
   * @param attemptsSoFar attempts made, the failed one included
   * @param outcome how the last attempt ended
   * @param bodyReplayable whether everything sent so far can be sent again
   * @param retryAfter the upstream's Retry-After value on a 429/503, or null
   */
  public Decision next(int attemptsSoFar, AttemptOutcome outcome, boolean bodyReplayable, String retryAfter) {
    if (attemptsSoFar >= policy.maxAttempts()) {
      return no(Verdict.MAX_ATTEMPTS);
    }
    if (!policy.isRetryable(outcome, method, hasIdempotencyKey)) {
      return no(Verdict.NOT_RETRYABLE);
    }
    if (!bodyReplayable) {
      return no(Verdict.BODY_NOT_REPLAYABLE);
    }
    if (breaker != null && breaker.state() == CircuitState.OPEN) {
      return no(Verdict.CIRCUIT_OPEN);
    }
    long now = ticker.nanos();
    long delay;
    OptionalLong hinted = retryAfterHint(outcome, retryAfter);
    if (hinted.isPresent()) {
      if (now + hinted.getAsLong() >= stopNanos) {
        return no(Verdict.RETRY_AFTER_TOO_LONG);
      }
      delay = hinted.getAsLong();
    } else {
      delay = policy.backoff().delayNanos(retries + 1, previousDelay, random);
      if (now + delay >= stopNanos) {
        return no(Verdict.DEADLINE);
      }
    }
    if (!budget.tryAcquireRetry()) {
      return no(Verdict.BUDGET_EXHAUSTED);
    }
    retries++;
    previousDelay = delay;
    return new Decision(Verdict.RETRY, delay);
  }

  private OptionalLong retryAfterHint(AttemptOutcome outcome, String retryAfter) {
    if (retryAfter == null || !outcome.isResponse() || (outcome.status() != 503 && outcome.status() != 429)) {
      return OptionalLong.empty();
    }
    return RetryAfter.parseDelayNanos(retryAfter, wallClock.get());
  }

  /** @return nanoseconds left before no new attempt may start. */
  public long remainingNanos() {
    return stopNanos == Long.MAX_VALUE ? Long.MAX_VALUE : stopNanos - ticker.nanos();
  }

  private static Decision no(Verdict v) {
    return new Decision(v, 0);
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }
}
