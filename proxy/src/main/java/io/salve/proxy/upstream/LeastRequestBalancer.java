package io.salve.proxy.upstream;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Power of two choices: draw two endpoints (weighted) and take the one with fewer requests in flight
 * per unit of weight. Near-optimal spreading without scanning every endpoint or sharing a lock.
 */
final class LeastRequestBalancer implements LoadBalancer {
  @Override
  public Endpoint pick(List<Endpoint> eligible, Endpoint avoid, RandomGenerator random) {
    if (eligible.size() == 1) {
      return eligible.get(0);
    }
    Endpoint a = WeightedRandomBalancer.draw(eligible, random);
    Endpoint b = WeightedRandomBalancer.draw(eligible, random);
    if (a == b) {
      b = eligible.get((eligible.indexOf(a) + 1 + random.nextInt(eligible.size() - 1)) % eligible.size());
    }
    if (a == avoid) {
      return b;
    }
    if (b == avoid) {
      return a;
    }
    // Compare inFlight/weight without division: a.inFlight * b.weight vs b.inFlight * a.weight.
    long loadA = (long) a.inFlight().get() * b.weight();
    long loadB = (long) b.inFlight().get() * a.weight();
    return loadA <= loadB ? a : b;
  }
}
