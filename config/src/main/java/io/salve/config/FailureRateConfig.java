package io.salve.config;

import java.time.Duration;

/**
 * Rate-based opening of a circuit breaker.
 *
 * @param threshold failure share in [0,1] that opens the circuit
 * @param minimumRequests outcomes needed in the window before the rate counts (default 20)
 * @param window sliding window (default 30s)
 */
public record FailureRateConfig(double threshold, int minimumRequests, Duration window) {}
