package io.salve.proxy.upstream;

import io.salve.config.LoadBalancerType;
import java.util.List;
import java.util.random.RandomGenerator;

/** Picks one endpoint among the eligible ones for a request. */
public interface LoadBalancer {
  /**
   * @param eligible the endpoints that may be chosen now; never empty
   * @param avoid an endpoint to avoid when another is eligible (a retry prefers a fresh one), or null
   * @param random the random source of the calling thread
   * @return the chosen endpoint
   */
  Endpoint pick(List<Endpoint> eligible, Endpoint avoid, RandomGenerator random);

  /** @return the balancer for a configured policy. */
  static LoadBalancer of(LoadBalancerType type) {
    switch (type) {
      case LEAST_REQUEST:
        return new LeastRequestBalancer();
      case RANDOM:
        return new WeightedRandomBalancer();
      case ROUND_ROBIN:
      default:
        return new WeightedRoundRobinBalancer();
    }
  }
}
