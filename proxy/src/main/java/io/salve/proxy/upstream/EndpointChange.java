package io.salve.proxy.upstream;

import java.util.List;

/**
 * What one update of an upstream's dynamic endpoints did.
 *
 * @param joined endpoints new to the upstream (fresh objects, no health attached yet)
 * @param left endpoints no longer in the upstream (their probes and gauges should stop)
 */
public record EndpointChange(List<Endpoint> joined, List<Endpoint> left) {
  public EndpointChange {
    joined = List.copyOf(joined);
    left = List.copyOf(left);
  }

  /** @return whether nothing joined or left */
  public boolean isEmpty() {
    return joined.isEmpty() && left.isEmpty();
  }
}
