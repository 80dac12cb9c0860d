package io.salve.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.salve.config.HostPort;
import io.salve.config.LoadBalancerType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LoadBalancerTest {
  private final Endpoint a = new Endpoint("u", new HostPort("10.0.0.1", 80), 1);
  private final Endpoint b = new Endpoint("u", new HostPort("10.0.0.2", 80), 2);
  private final Endpoint c = new Endpoint("u", new HostPort("10.0.0.3", 80), 1);
  private final List<Endpoint> all = List.of(a, b, c);

  private static Map<Endpoint, Integer> count(LoadBalancer lb, List<Endpoint> eps, int picks, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Map<Endpoint, Integer> counts = new HashMap<>();
    for (int i = 0; i < picks; i++) {
      counts.merge(lb.pick(eps, null, random), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void roundRobin_givesEachEndpointItsWeightPerCycleExactly() {
    LoadBalancer rr = LoadBalancer.of(LoadBalancerType.ROUND_ROBIN);
    Map<Endpoint, Integer> counts = count(rr, all, 400, 1);
    assertThat(counts).containsEntry(a, 100).containsEntry(b, 200).containsEntry(c, 100);
  }

  @Test
  void roundRobin_withOneEndpoint_alwaysPicksIt() {
    LoadBalancer rr = LoadBalancer.of(LoadBalancerType.ROUND_ROBIN);
    assertThat(count(rr, List.of(c), 10, 1)).containsOnlyKeys(c).containsEntry(c, 10);
  }

  @Test
  void everyPolicy_avoidsTheEndpointAlreadyTriedWhenAnotherExists() {
    for (LoadBalancerType type : LoadBalancerType.values()) {
      LoadBalancer lb = LoadBalancer.of(type);
      SplittableRandom random = new SplittableRandom(7);
      for (int i = 0; i < 200; i++) {
        assertThat(lb.pick(all, b, random)).as(type.key()).isNotSameAs(b);
        assertThat(lb.pick(List.of(a, b), a, random)).as(type.key()).isSameAs(b);
      }
      assertThat(lb.pick(List.of(a), a, random)).as(type.key() + " with no alternative").isSameAs(a);
    }
  }

  @Test
  void random_followsTheWeightsWithASeededSource() {
    Map<Endpoint, Integer> counts = count(LoadBalancer.of(LoadBalancerType.RANDOM), all, 40_000, 42);
    // Expected 10k / 20k / 10k; with a fixed seed the draw is deterministic, the tolerance is for the model.
    assertThat(counts.get(a)).isBetween(9_500, 10_500);
    assertThat(counts.get(b)).isBetween(19_500, 20_500);
    assertThat(counts.get(c)).isBetween(9_500, 10_500);
  }

  @Test
  void leastRequest_prefersTheLessLoadedOfTwoPerUnitOfWeight() {
    LoadBalancer lr = LoadBalancer.of(LoadBalancerType.LEAST_REQUEST);
    a.inFlight().set(10);
    c.inFlight().set(0);
    Map<Endpoint, Integer> counts = count(lr, List.of(a, c), 1_000, 3);
    assertThat(counts).containsOnlyKeys(c);

    // b has weight 2: 4 in flight on b weighs like 2 on a
    a.inFlight().set(3);
    b.inFlight().set(4);
    assertThat(count(lr, List.of(a, b), 1_000, 5)).containsOnlyKeys(b);
  }
}
