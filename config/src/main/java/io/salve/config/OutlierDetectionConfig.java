package io.salve.config;

import java.time.Duration;

/**
 * Per-endpoint outlier ejection.
 *
 * @param consecutiveFailures failures in a row on one endpoint that eject it (default 5)
 * @param baseEjectionTime first ejection length; n-th is base x n (default 30s)
 * @param maxEjectionTime cap on ejection length (default 300s)
 * @param maxEjectionPercent most endpoints ejected at once, in percent; one is always allowed (default 10)
 */
public record OutlierDetectionConfig(
    int consecutiveFailures, Duration baseEjectionTime, Duration maxEjectionTime, int maxEjectionPercent) {}
