package io.salve.config;

/**
 * Retry budget over a sliding 10s window: retries may not exceed ratio x first attempts + minPerSecond x 10.
 *
 * @param ratio share of first attempts (default 0.2)
 * @param minPerSecond retries per second always allowed (default 10)
 */
public record RetryBudgetConfig(double ratio, int minPerSecond) {}
