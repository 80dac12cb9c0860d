package io.salve.config;

import java.time.Duration;

/**
 * A retry policy, on an upstream or a route (the route's wins, whole).
 *
 * @param maxAttempts attempts in all, the first included, at least 1 (default 2: one retry)
 * @param retryOn outcomes that are retried (default connect-failure, reset)
 * @param retryNonIdempotent retry POST/PATCH even without Idempotency-Key (default false)
 * @param backoff backoff between attempts
 * @param maxElapsed no new attempt starts after this since the first (default: none, null)
 * @param perTryTimeout deadline of one attempt (default: none, null)
 * @param maxBufferedBody request bodies up to this are buffered for replay (default 64KiB)
 */
public record RetryConfig(
    int maxAttempts,
    FailureConditions retryOn,
    boolean retryNonIdempotent,
    BackoffConfig backoff,
    Duration maxElapsed,
    Duration perTryTimeout,
    long maxBufferedBody) {}
