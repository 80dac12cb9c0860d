package io.salve.proxy.coord;

import io.salve.proxy.upstream.Upstream;
import io.salve.proxy.upstream.Upstreams;
import java.util.function.BooleanSupplier;

/**
 * {@code whenHealthy: <upstream>}: true while that upstream has at least one healthy endpoint (per
 * its active health checks; an upstream without checks counts its endpoints as healthy). Read from
 * the coordination thread; the health flags are safe to read from any thread.
 */
public final class UpstreamHealthGate {
  private UpstreamHealthGate() {}

  /** @return a gate on {@code upstream}, or an always-open gate when it is null. */
  public static BooleanSupplier of(Upstreams upstreams, String upstream) {
    if (upstream == null) {
      return () -> true;
    }
    Upstream u = upstreams.get(upstream);
    if (u == null) {
      throw new IllegalArgumentException("unknown upstream " + upstream);
    }
    return () -> u.healthyCount() > 0;
  }
}
