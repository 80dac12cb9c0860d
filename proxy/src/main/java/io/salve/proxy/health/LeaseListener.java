package io.salve.proxy.health;

/**
 * Observes the lifecycle of leased endpoints in a {@link LeaseRegistry}.
 *
 * <p>For each endpoint of an upstream, events alternate: one {@link #onRegistered}, then exactly one
 * of {@link #onExpired} or {@link #onRevoked}, then possibly another {@link #onRegistered}, and so
 * on. Renewals of an active lease are not events. Events are delivered in that order, one at a
 * time, on the thread that caused them (the admin API thread or the expiry scheduler), while the
 * registry holds its write lock: implementations must be quick, must not block and should not throw
 * (a thrown exception is logged and does not stop other listeners).
 */
public interface LeaseListener {

  /** An endpoint without an active lease was granted one. */
  void onRegistered(String upstream, String endpoint);

  /** An endpoint's lease ran out without being renewed. */
  void onExpired(String upstream, String endpoint);

  /** An endpoint's active lease was revoked explicitly. */
  void onRevoked(String upstream, String endpoint);
}
