package io.salve.proxy.upstream;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Future;
import io.salve.config.EndpointConfig;
import io.salve.config.HostPort;
import io.salve.config.UpstreamConfig;
import io.salve.proxy.resilience.CircuitBreaker;
import io.salve.proxy.resilience.ConcurrencyLimit;
import io.salve.proxy.resilience.OutlierDetector;
import io.salve.proxy.resilience.RetryBudget;
import io.salve.proxy.resilience.RetryPolicy;
import io.salve.proxy.util.Ticker;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.random.RandomGenerator;

/**
 * The running form of one configured upstream: its endpoints and how to pick one, its resilience
 * state (breaker, bulkhead, outlier ejection, retry budget), and its per-event-loop connection pools
 * (HTTP/1.1 keep-alive connections, or multiplexed h2c connections for {@code protocol: h2c}).
 *
 * <p>Endpoint choice: the healthy endpoints (all of them in panic mode), minus those ejected as
 * outliers, balanced by the configured policy. The endpoint list is copy-on-write, so static,
 * leased and discovered endpoints can change without a lock on the request path.
 */
public final class Upstream {
  private final String name;
  private final UpstreamConfig config;
  private final LoadBalancer balancer;
  private final UpstreamSettings settings;
  private final double panicThreshold;
  private final CircuitBreaker breaker;
  private final OutlierDetector outliers;
  private final ConcurrencyLimit bulkhead;
  private final RetryBudget retryBudget;
  private final RetryPolicy retryPolicy;
  private final List<Endpoint> staticEndpoints;
  private volatile List<Endpoint> endpoints;
  /** Dynamic addresses by source, in the order sources first contributed; guarded by {@code this}. */
  private final Map<String, Map<String, HostPort>> dynamicBySource = new LinkedHashMap<>();
  private final List<EndpointSource> sources = new CopyOnWriteArrayList<>();
  private final boolean h2c;
  private final FastThreadLocal<Map<Endpoint, StreamPool>> pools =
      new FastThreadLocal<>() {
        @Override
        protected Map<Endpoint, StreamPool> initialValue() {
          return new IdentityHashMap<>();
        }
      };

  Upstream(UpstreamConfig config, UpstreamSettings settings, Ticker ticker) {
    this.name = config.name();
    this.config = config;
    this.balancer = LoadBalancer.of(config.loadBalancer());
    this.settings = settings;
    this.h2c = config.protocol().http2();
    this.panicThreshold = config.healthCheck() == null ? 0.0 : config.healthCheck().panicThreshold();
    this.breaker = config.circuitBreaker() == null ? null : CircuitBreaker.of(name, config.circuitBreaker(), ticker);
    this.outliers =
        config.outlierDetection() == null ? null : OutlierDetector.of(name, config.outlierDetection(), ticker);
    this.bulkhead = ConcurrencyLimit.of(config.maxConcurrentRequests());
    this.retryBudget = RetryBudget.of(config.retryBudget(), ticker);
    this.retryPolicy = RetryPolicy.of(config.retry());
    List<Endpoint> list = new ArrayList<>();
    for (EndpointConfig ec : config.endpoints()) {
      list.add(new Endpoint(name, ec.address(), ec.weight()));
    }
    this.staticEndpoints = List.copyOf(list);
    this.endpoints = staticEndpoints;
    syncOutlierSet();
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

  /** @return the circuit breaker, or null when none is configured. */
  public CircuitBreaker breaker() {
    return breaker;
  }

  /** @return the outlier detector, or null when none is configured. */
  public OutlierDetector outliers() {
    return outliers;
  }

  /** @return the bulkhead bounding requests in flight to this upstream. */
  public ConcurrencyLimit bulkhead() {
    return bulkhead;
  }

  public RetryBudget retryBudget() {
    return retryBudget;
  }

  /** @return the upstream's own retry policy (a route's policy replaces it whole). */
  public RetryPolicy retryPolicy() {
    return retryPolicy;
  }

  /**
   * @param avoid an endpoint already tried by this request, preferred against when others exist
   * @return the endpoint for the next attempt, or null when none is eligible
   */
  public Endpoint choose(Endpoint avoid, RandomGenerator random) {
    List<Endpoint> eligible = eligible();
    if (eligible.isEmpty()) {
      return null;
    }
    return balancer.pick(eligible, avoid, random);
  }

  /** @return the endpoints a request may go to now. */
  public List<Endpoint> eligible() {
    List<Endpoint> candidates = PanicMode.eligible(endpoints, Endpoint::isHealthy, panicThreshold);
    if (outliers == null || candidates.isEmpty()) {
      return candidates;
    }
    List<Endpoint> kept = null;
    for (int i = 0; i < candidates.size(); i++) {
      Endpoint e = candidates.get(i);
      boolean ejected = outliers.isEjected(e.key());
      if (ejected && kept == null) {
        kept = new ArrayList<>(candidates.subList(0, i));
      } else if (!ejected && kept != null) {
        kept.add(e);
      }
    }
    // Ejection never empties the set: an upstream with every endpoint ejected keeps trying them all.
    return kept == null || kept.isEmpty() ? candidates : kept;
  }

  /** @return the number of endpoints currently passing active probes. */
  public int healthyCount() {
    int n = 0;
    for (Endpoint e : endpoints) {
      if (e.isHealthy()) {
        n++;
      }
    }
    return n;
  }

  /**
   * Replaces the dynamic endpoints one source contributes (leases, etcd discovery, ...); static
   * endpoints and other sources' endpoints stay. An address given by several sources, or static
   * as well, is one endpoint. Endpoints already known keep their identity, counters and health.
   *
   * @param source who contributes these endpoints, e.g. {@code "leases"} or {@code "etcd"}
   * @return the endpoints that joined and those that left the upstream
   */
  public synchronized EndpointChange setDynamicEndpoints(String source, List<HostPort> dynamic) {
    Map<String, HostPort> mine = new LinkedHashMap<>();
    for (HostPort hp : dynamic) {
      mine.putIfAbsent(hp.toString(), hp);
    }
    if (mine.isEmpty()) {
      dynamicBySource.remove(source);
    } else {
      dynamicBySource.put(source, mine);
    }
    Map<String, Endpoint> current = new HashMap<>();
    for (Endpoint e : endpoints) {
      current.put(e.key(), e);
    }
    Map<String, Endpoint> next = new LinkedHashMap<>();
    staticEndpoints.forEach(e -> next.put(e.key(), e));
    List<Endpoint> joined = new ArrayList<>();
    for (Map<String, HostPort> bySource : dynamicBySource.values()) {
      for (Map.Entry<String, HostPort> hp : bySource.entrySet()) {
        if (next.containsKey(hp.getKey())) {
          continue;
        }
        Endpoint e = current.get(hp.getKey());
        if (e == null) {
          e = new Endpoint(name, hp.getValue(), 1);
          joined.add(e);
        }
        next.put(hp.getKey(), e);
      }
    }
    List<Endpoint> left = new ArrayList<>();
    for (Endpoint e : endpoints) {
      if (next.get(e.key()) != e) {
        left.add(e);
      }
    }
    endpoints = List.copyOf(next.values());
    syncOutlierSet();
    return new EndpointChange(List.copyOf(joined), List.copyOf(left));
  }

  /** Records a source of this upstream's endpoints, for the admin state and the 503 explanation. */
  public void addSource(EndpointSource source) {
    sources.add(source);
  }

  /** @return the live sources of some of this upstream's endpoints. */
  public List<EndpointSource> sources() {
    return sources;
  }

  /**
   * @return why the upstream has no endpoint at all (e.g. its discovery has found none yet), or
   *     null when it has some or nothing explains it
   */
  public String emptyReason() {
    if (!endpoints.isEmpty()) {
      return null;
    }
    for (EndpointSource s : sources) {
      String why = s.emptyReason();
      if (why != null) {
        return why;
      }
    }
    return null;
  }

  private void syncOutlierSet() {
    if (outliers != null) {
      outliers.setEndpoints(endpoints.stream().map(Endpoint::key).toList());
    }
  }

  /**
   * Borrows a stream to {@code endpoint} from the pool of the calling event loop: a keep-alive
   * connection of an HTTP/1.1 upstream, a stream of a shared connection of an h2c upstream.
   *
   * @param loop the client connection's event loop; must be the current thread
   */
  public Future<? extends UpstreamStream> acquire(Endpoint endpoint, EventLoop loop, UpstreamStream.Listener l) {
    Map<Endpoint, StreamPool> byEndpoint = pools.get();
    StreamPool pool = byEndpoint.get(endpoint);
    if (pool == null) {
      pool = h2c ? new H2cPool(endpoint, loop, settings) : new EndpointPool(endpoint, loop, settings);
      byEndpoint.put(endpoint, pool);
    }
    return pool.acquire(l);
  }

  /**
   * Closes the idle pooled connections on every loop and forgets the pools, when a reload has
   * removed or replaced this upstream and its requests have ended: the loops' thread-locals would
   * otherwise keep the pools for the life of the process. A connection still busy returns to its
   * (forgotten) pool and closes at its idle timeout.
   */
  public void retire(EventLoopGroup group) {
    for (EventExecutor loop : group) {
      try {
        loop.execute(
            () -> {
              Map<Endpoint, StreamPool> byEndpoint = pools.getIfExists();
              if (byEndpoint != null) {
                byEndpoint.values().forEach(StreamPool::drainIdle);
                pools.remove();
              }
            });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        return; // shutting down: every connection closes with the loops
      }
    }
  }

  /** Closes the idle pooled connections on every loop, e.g. when the upstream recovers. */
  public void drainIdle(EventLoopGroup group) {
    for (EventExecutor loop : group) {
      loop.execute(() -> pools.get().values().forEach(StreamPool::drainIdle));
    }
  }
}
