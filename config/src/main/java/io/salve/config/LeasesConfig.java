package io.salve.config;

import java.time.Duration;

/**
 * Endpoints registered over the admin API with a lease.
 *
 * @param ttl default lease time-to-live (default 10s)
 */
public record LeasesConfig(Duration ttl) {}
