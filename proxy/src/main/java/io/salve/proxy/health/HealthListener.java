package io.salve.proxy.health;

import io.salve.proxy.upstream.Endpoint;

/**
 * Hears the self-healing runtime: probes and transitions ({@link HealthChecker.Listener}), leases
 * ({@link LeaseListener}) and recovery webhooks ({@link RecoveryActions.Listener}), plus the moments
 * an endpoint, a lease registry or a recovery policy appears, so an implementation can register what
 * it keeps per endpoint or upstream. metrics/HealthMetrics is the Micrometer one; health/ never
 * names a meter.
 */
public interface HealthListener extends HealthChecker.Listener, LeaseListener, RecoveryActions.Listener {

  /** A probed endpoint is known (static, or leased when it joins). */
  void bindEndpoint(Endpoint endpoint);

  /** An endpoint left: forget what is kept per endpoint. */
  void unbindEndpoint(Endpoint endpoint);

  /** {@code leases} is an upstream's lease registry; an implementation may listen to it. */
  void bindLeases(LeaseRegistry leases);

  /** {@code upstream} has a recovery policy. */
  void bindRecovery(String upstream);
}
