package io.salve.config;

import java.time.Duration;

/**
 * Criticality-tiered load shedding.
 *
 * @param interval evaluation interval (default 1s)
 * @param degradedWhen any crossed: shed sheddable routes (defaults: none set, so never)
 * @param failingWhen any crossed: serve critical routes only (defaults: none set)
 * @param recoverAfter signals stay below thresholds this long before stepping back (default 10s)
 * @param retryAfter Retry-After on shed responses (default 5s)
 * @param adaptiveConcurrency adaptive per-listener limit
 */
public record LoadSheddingConfig(
    Duration interval,
    LoadThresholds degradedWhen,
    LoadThresholds failingWhen,
    Duration recoverAfter,
    Duration retryAfter,
    AdaptiveConcurrencyConfig adaptiveConcurrency) {}
