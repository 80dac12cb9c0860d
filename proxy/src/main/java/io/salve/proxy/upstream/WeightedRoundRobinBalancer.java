package io.salve.proxy.upstream;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * Round-robin over the eligible endpoints, each taking as many consecutive turns in a cycle as its
 * weight. One shared counter, advanced with a single atomic increment: no lock on the hot path.
 */
final class WeightedRoundRobinBalancer implements LoadBalancer {
  private final AtomicLong counter = new AtomicLong();

  @Override
  public Endpoint pick(List<Endpoint> eligible, Endpoint avoid, RandomGenerator random) {
    Endpoint chosen = at(eligible, counter.getAndIncrement());
    if (chosen == avoid && eligible.size() > 1) {
      chosen = at(eligible, counter.getAndIncrement());
      if (chosen == avoid) {
        chosen = WeightedSlots.next(eligible, avoid);
      }
    }
    return chosen;
  }

  private static Endpoint at(List<Endpoint> eligible, long tick) {
    if (eligible.size() == 1) {
      return eligible.get(0);
    }
    return WeightedSlots.owner(eligible, Math.floorMod(tick, (long) WeightedSlots.total(eligible)));
  }
}
