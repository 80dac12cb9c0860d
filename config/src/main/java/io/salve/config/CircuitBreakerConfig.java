package io.salve.config;

import java.time.Duration;

/**
 * Circuit breaker of an upstream.
 *
 * @param failureThreshold consecutive failures that open it (default 3)
 * @param successThreshold consecutive half-open successes that close it (default 2)
 * @param openDuration time open before half-open (default 30s)
 * @param halfOpenMaxRequests trial requests allowed at once while half-open (default 1)
 * @param failureRate rate-based opening, or null
 * @param failOn what counts as a failure (default connect-failure, reset, timeout, 5xx)
 */
public record CircuitBreakerConfig(
    int failureThreshold,
    int successThreshold,
    Duration openDuration,
    int halfOpenMaxRequests,
    FailureRateConfig failureRate,
    FailureConditions failOn) {}
