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
        chosen = WeightedSlots.next(eligible, avoid);
      }
    }
    return chosen;
  }

  static Endpoint draw(List<Endpoint> eligible, RandomGenerator random) {
    if (eligible.size() == 1) {
      return eligible.get(0);
    }
    return WeightedSlots.owner(eligible, random.nextInt(WeightedSlots.total(eligible)));
  }
}
