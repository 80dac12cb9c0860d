package io.salve.proxy.upstream;

import java.util.List;
import java.util.random.RandomGenerator;

/** Picks an endpoint at random, in proportion to its weight. */
final class WeightedRandomBalancer implements LoadBalancer {
  @Override
  public Endpoint pick(List<Endpoint> eligible, Endpoint avoid, RandomGenerator random) {
    Endpoint chosen = draw(eligible, random);
    if (chosen == avoid && eligible.size() > 1) {
      chosen = draw(eligible, random);
      if (chosen == avoid) {
        chosen = eligible.get((eligible.indexOf(avoid) + 1) % eligible.size());
      }
    }
    return chosen;
  }

  static Endpoint draw(List<Endpoint> eligible, RandomGenerator random) {
    int n = eligible.size();
    if (n == 1) {
      return eligible.get(0);
    }
    int total = 0;
    for (int i = 0; i < n; i++) {
      total += eligible.get(i).weight();
    }
    int slot = random.nextInt(total);
    for (int i = 0; i < n; i++) {
      slot -= eligible.get(i).weight();
      if (slot < 0) {
        return eligible.get(i);
      }
    }
    return eligible.get(n - 1);
  }
}
