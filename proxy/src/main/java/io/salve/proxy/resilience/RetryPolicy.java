package io.salve.proxy.resilience;

import io.salve.config.FailureConditions;
import io.salve.config.RetryConfig;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * What may be retried, how often and how long to wait: a {@link RetryConfig} made executable.
 * Immutable and thread-safe.
 */
public final class RetryPolicy {
  /** Methods that RFC 9110 defines as idempotent; the token is case-sensitive. */
  private static final Set<String> IDEMPOTENT_METHODS =
      Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");

  private final int maxAttempts;
  private final FailureConditions retryOn;
  private final boolean retryNonIdempotent;
  private final Backoff backoff;
  private final Duration maxElapsed;
  private final Duration perTryTimeout;
  private final long maxBufferedBody;

  private RetryPolicy(RetryConfig config) {
    this.maxAttempts = Math.max(1, config.maxAttempts());
    this.retryOn = Objects.requireNonNull(config.retryOn(), "retryOn");
    this.retryNonIdempotent = config.retryNonIdempotent();
    this.backoff = Backoff.of(config.backoff());
    this.maxElapsed = config.maxElapsed();
    this.perTryTimeout = config.perTryTimeout();
    this.maxBufferedBody = config.maxBufferedBody();
  }

  /**
   * @param config a validated retry configuration
   * @return the policy it describes
   */
  public static RetryPolicy of(RetryConfig config) {
    return new RetryPolicy(config);
  }

  /** @return attempts in all, the first included; 1 means no retries */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** @return the delay before each retry */
  public Backoff backoff() {
    return backoff;
  }

  /** @return request bodies up to this many bytes are buffered so they can be replayed */
  public long maxBufferedBody() {
    return maxBufferedBody;
  }

  /** @return the deadline of one attempt, or null for none */
  public Duration perTryTimeout() {
    return perTryTimeout;
  }

  /** @return no new attempt starts after this much time since the first, or null for no limit */
  public Duration maxElapsed() {
    return maxElapsed;
  }

  /**
   * Whether a request that reached the upstream may be sent again.
   *
   * @param method the request method, case-sensitive as in HTTP
   * @param hasIdempotencyKey whether the request carries an {@code Idempotency-Key} header
   * @return true for GET, HEAD, OPTIONS, PUT, DELETE and TRACE; for any other method only when the
   *     policy retries non-idempotent requests or the request has an idempotency key
   */
  public boolean allowsReplay(String method, boolean hasIdempotencyKey) {
    return (method != null && IDEMPOTENT_METHODS.contains(method))
        || retryNonIdempotent
        || hasIdempotencyKey;
  }

  /**
   * Whether an attempt that ended with {@code outcome} may be retried, budget and attempt count
   * aside.
   *
   * @param outcome how the attempt ended
   * @param method the request method
   * @param hasIdempotencyKey whether the request carries an {@code Idempotency-Key} header
   * @return false unless the outcome is in {@code retryOn}; then true for a connect failure, since
   *     nothing was sent, and {@link #allowsReplay} for anything else
   */
  public boolean isRetryable(AttemptOutcome outcome, String method, boolean hasIdempotencyKey) {
    if (!outcome.isFailure(retryOn)) {
      return false;
    }
    return outcome.kind() == AttemptOutcome.Kind.CONNECT_FAILURE
        || allowsReplay(method, hasIdempotencyKey);
  }

  @Override
  public String toString() {
    return "RetryPolicy[maxAttempts=" + maxAttempts + ", retryOn=" + retryOn + "]";
  }
}
