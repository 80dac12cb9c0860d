package io.salve.config;

/**
 * Adaptive per-listener concurrency limit.
 *
 * @param enabled default false
 * @param minLimit default 20
 * @param maxLimit default 2000
 */
public record AdaptiveConcurrencyConfig(boolean enabled, int minLimit, int maxLimit) {}
