package io.salve.proxy.upstream;

import java.util.List;

/**
 * Endpoints laid end to end, each taking as many slots as its weight: the shared arithmetic of the
 * weighted balancers. No allocation; endpoint lists are short.
 */
final class WeightedSlots {
  private WeightedSlots() {}

  /** @return the sum of the endpoints' weights. */
  static int total(List<Endpoint> endpoints) {
    int total = 0;
    for (int i = 0; i < endpoints.size(); i++) {
      total += endpoints.get(i).weight();
    }
    return total;
  }

  /** @return the endpoint that owns {@code slot}, which must lie in [0, total). */
  static Endpoint owner(List<Endpoint> endpoints, long slot) {
    int n = endpoints.size();
    for (int i = 0; i < n; i++) {
      slot -= endpoints.get(i).weight();
      if (slot < 0) {
        return endpoints.get(i);
      }
    }
    return endpoints.get(n - 1);
  }

  /** @return the endpoint after {@code e} in the list, wrapping around. */
  static Endpoint next(List<Endpoint> endpoints, Endpoint e) {
    return endpoints.get((endpoints.indexOf(e) + 1) % endpoints.size());
  }
}
