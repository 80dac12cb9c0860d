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
        int i = eligible.indexOf(avoid);
        chosen = eligible.get((i + 1) % eligible.size());
      }
    }
    return chosen;
  }

  private static Endpoint at(List<Endpoint> eligible, long tick) {
    int n = eligible.size();
    if (n == 1) {
      return eligible.get(0);
    }
    int total = 0;
    for (int i = 0; i < n; i++) {
      total += eligible.get(i).weight();
    }
    long slot = Math.floorMod(tick, (long) total);
    for (int i = 0; i < n; i++) {
      slot -= eligible.get(i).weight();
      if (slot < 0) {
        return eligible.get(i);
      }
    }
    return eligible.get(n - 1);
  }
}
