package io.salve.proxy.health;

/**
 * The outcome of granting or renewing a lease in a {@link LeaseRegistry}.
 *
 * @param endpoint the leased endpoint
 * @param ttlNanos the time-to-live this grant or renewal applied
 * @param expiresAtNanos the registry ticker's reading at which the lease expires; the lease is
 *     active while the ticker reads strictly less
 * @param isNew true when the endpoint was registered anew (it had no active lease), false when an
 *     active lease was renewed
 */
public record Lease(String endpoint, long ttlNanos, long expiresAtNanos, boolean isNew) {}
