package io.salve.proxy.upstream;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Future;
import io.salve.config.EndpointConfig;
import io.salve.config.UpstreamConfig;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The running form of one configured upstream: its endpoints, how to pick one, and the per-event-loop
 * connection pools.
 */
public final class Upstream {
  private final String name;
  private final UpstreamConfig config;
  private final LoadBalancer balancer;
  private final UpstreamSettings settings;
  private volatile List<Endpoint> endpoints;
  private final FastThreadLocal<Map<Endpoint, EndpointPool>> pools =
      new FastThreadLocal<>() {
        @Override
        protected Map<Endpoint, EndpointPool> initialValue() {
          return new IdentityHashMap<>();
        }
      };

  Upstream(UpstreamConfig config, UpstreamSettings settings) {
    this.name = config.name();
    this.config = config;
    this.balancer = LoadBalancer.of(config.loadBalancer());
    this.settings = settings;
    List<Endpoint> list = new ArrayList<>();
    for (EndpointConfig ec : config.endpoints()) {
      list.add(new Endpoint(name, ec.address(), ec.weight()));
    }
    this.endpoints = List.copyOf(list);
  }

  public String name() {
    return name;
  }

  public UpstreamConfig config() {
    return config;
  }

  /** @return every endpoint, static and dynamic, in a stable order. */
  public List<Endpoint> endpoints() {
    return endpoints;
  }

  /**
   * @param avoid an endpoint already tried by this request, preferred against when others exist
   * @return the endpoint for the next attempt, or null when none is eligible
   */
  public Endpoint choose(Endpoint avoid, RandomGenerator random) {
    List<Endpoint> eligible = endpoints;
    if (eligible.isEmpty()) {
      return null;
    }
    return balancer.pick(eligible, avoid, random);
  }

  /**
   * Borrows a connection to {@code endpoint} from the pool of the calling event loop.
   *
   * @param loop the client connection's event loop; must be the current thread
   */
  public Future<UpstreamConnection> acquire(Endpoint endpoint, EventLoop loop, UpstreamConnection.Listener l) {
    Map<Endpoint, EndpointPool> byEndpoint = pools.get();
    EndpointPool pool = byEndpoint.get(endpoint);
    if (pool == null) {
      pool = new EndpointPool(endpoint, loop, settings);
      byEndpoint.put(endpoint, pool);
    }
    return pool.acquire(l);
  }

  /** Closes the idle pooled connections on every loop, e.g. when the upstream recovers. */
  public void drainIdle(EventLoopGroup group) {
    for (EventExecutor loop : group) {
      loop.execute(() -> pools.get().values().forEach(EndpointPool::drainIdle));
    }
  }
}
