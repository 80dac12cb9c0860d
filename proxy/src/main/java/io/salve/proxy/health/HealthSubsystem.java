package io.salve.proxy.health;

import io.netty.channel.EventLoopGroup;
import io.netty.resolver.AddressResolverGroup;
import io.salve.config.HealthCheckConfig;
import io.salve.config.HostPort;
import io.salve.config.RecoveryConfig;
import io.salve.config.SalveConfig;
import io.salve.config.UpstreamConfig;
import io.salve.proxy.health.probe.GrpcProber;
import io.salve.proxy.health.probe.H2cProber;
import io.salve.proxy.health.probe.HttpProber;
import io.salve.proxy.health.probe.Prober;
import io.salve.proxy.health.probe.TcpProber;
import io.salve.proxy.transport.Transports;
import io.salve.proxy.upstream.Endpoint;
import io.salve.proxy.upstream.EndpointChange;
import io.salve.proxy.upstream.EndpointSource;
import io.salve.proxy.upstream.Upstream;
import io.salve.proxy.upstream.Upstreams;
import io.salve.proxy.util.Ticker;
import java.net.SocketAddress;
import java.time.Clock;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * salve's self-healing runtime behind one facade: active health probes ({@link HealthChecker}),
 * leased endpoints ({@link LeaseService}), recovery webhooks ({@link RecoveryActions}), their
 * listener (a {@link HealthListener}: metrics/HealthMetrics), readiness and the health part of {@code /admin/state}.
 *
 * <p>Lifecycle: construct (attaches health state and meters, starts nothing), {@link #start()}
 * (probe loops and lease sweeps), {@link #close()} (before the event loops shut down).
 */
public final class HealthSubsystem implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HealthSubsystem.class);

  private volatile SalveConfig config;
  private volatile Upstreams upstreams;
  private final Ticker ticker;
  private final HealthListener metrics;
  private boolean started; // guarded by this
  private final AddressResolverGroup<? extends SocketAddress> resolver;
  private final HealthChecker checker;
  private final LeaseService leases;
  private final RecoveryActions recovery;
  private final LeaseService.MembershipListener membership;

  /**
   * @param bindEndpointMeters registers the proxy's own per-endpoint meters (connection gauges) of
   *     an endpoint that joins through a lease; its gauges are removed again when it leaves
   */
  public HealthSubsystem(
      SalveConfig config,
      Upstreams upstreams,
      EventLoopGroup workers,
      HealthListener metrics,
      Consumer<Endpoint> bindEndpointMeters) {
    this.config = Objects.requireNonNull(config, "config");
    this.upstreams = Objects.requireNonNull(upstreams, "upstreams");
    this.ticker = Ticker.system();
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.checker = new HealthChecker(workers, ticker, new Random());
    checker.addListener(metrics);

    // Probes resolve names with the upstreams' own asynchronous resolver, on their event loop.
    this.resolver = upstreams.resolver();
    Map<String, RecoveryConfig> recoveries = new LinkedHashMap<>();
    for (Upstream u : upstreams.all()) {
      registerProbes(u);
      if (u.config().recovery() != null) {
        if (u.config().healthCheck() == null) {
          LOG.warn("upstream {} has recovery but no healthCheck: recovery needs probes and will never fire", u.name());
        }
        recoveries.put(u.name(), u.config().recovery());
        metrics.bindRecovery(u.name());
      }
    }
    if (recoveries.isEmpty()) {
      this.recovery = null;
    } else {
      this.recovery = new RecoveryActions(recoveries, ticker, Clock.systemUTC());
      recovery.addListener(metrics);
      checker.addListener(recovery);
    }

    this.leases = new LeaseService(upstreams, workers, ticker);
    leases.registries().values().forEach(metrics::bindLeases);
    this.membership =
        new LeaseService.MembershipListener() {
          @Override
          public void onJoined(Upstream upstream, Endpoint endpoint) {
            bindEndpointMeters.accept(endpoint);
            if (checker.probes(upstream)) {
              checker.attachHealth(upstream, endpoint);
              metrics.bindEndpoint(endpoint);
              checker.watch(upstream, endpoint);
            }
          }

          @Override
          public void onLeft(Upstream upstream, Endpoint endpoint) {
            checker.unwatch(endpoint);
            metrics.unbindEndpoint(endpoint);
          }
        };
    leases.addMembershipListener(membership);
  }

  /**
   * Feeds {@code upstream} from {@code source}: each set it delivers replaces the source's share of
   * the upstream's endpoints, and endpoints that join are metered and probed like leased ones. The
   * source starts delivering here; the caller still owns and closes it.
   */
  public void attach(Upstream upstream, EndpointSource source) {
    upstream.addSource(source);
    String why = upstream.emptyReason();
    if (why != null) {
      LOG.warn("upstream {} has no endpoint yet and answers 503 no_healthy_endpoint until it has: {}", upstream.name(), why);
    }
    source.start(endpoints -> apply(upstream, source.name(), endpoints));
  }

  private void apply(Upstream upstream, String source, List<HostPort> endpoints) {
    // Under the upstream's lock, so a lease change cannot interleave its events with ours.
    synchronized (upstream) {
      EndpointChange change = upstream.setDynamicEndpoints(source, endpoints);
      for (Endpoint e : change.left()) {
        tell(() -> membership.onLeft(upstream, e));
      }
      for (Endpoint e : change.joined()) {
        tell(() -> membership.onJoined(upstream, e));
      }
    }
  }

  private static void tell(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      LOG.warn("endpoint membership update failed", e);
    }
  }

  private void registerProbes(Upstream u) {
    HealthCheckConfig hc = u.config().healthCheck();
    if (hc != null) {
      checker.register(u, hc, prober(u.config()));
      for (Endpoint e : u.endpoints()) {
        checker.attachHealth(u, e);
        metrics.bindEndpoint(e);
      }
    }
  }

  /**
   * Follows a configuration reload: stops probing the upstreams it removed or replaced and starts
   * probing the ones it added or replaced. Kept upstreams keep their probe loops and health. Leases
   * and recovery actions stay as started (a reload that would change them is refused before this).
   *
   * @param gone running upstreams no longer in {@code next}
   * @param fresh upstreams of {@code next} that were not running
   */
  public synchronized void apply(
      SalveConfig nextConfig, Upstreams next, Collection<Upstream> gone, Collection<Upstream> fresh) {
    for (Upstream u : gone) {
      u.endpoints().forEach(checker::unwatch);
      checker.unregister(u);
    }
    for (Upstream u : fresh) {
      registerProbes(u);
      if (started && checker.probes(u)) {
        u.endpoints().forEach(e -> checker.watch(u, e));
      }
    }
    this.upstreams = next;
    this.config = nextConfig;
  }

  private Prober prober(UpstreamConfig upstream) {
    HealthCheckConfig hc = upstream.healthCheck();
    if (hc.type() == HealthCheckConfig.ProbeType.TCP) {
      return new TcpProber(Transports.clientChannel(), resolver, hc.timeout());
    }
    if (hc.type() == HealthCheckConfig.ProbeType.GRPC) {
      // The gRPC health protocol is HTTP/2 whatever the upstream's protocol says.
      return new GrpcProber(Transports.clientChannel(), resolver, hc.timeout(), hc.grpcService());
    }
    HttpProber http = new HttpProber(Transports.clientChannel(), resolver, hc.timeout(), hc.path(), hc.expectedStatus());
    return upstream.protocol().http2()
        ? new H2cProber(Transports.clientChannel(), resolver, hc.timeout(), http)
        : http;
  }

  /** Starts the probe loops of every static endpoint of a probed upstream, and the lease sweeps. */
  public synchronized void start() {
    started = true;
    for (Upstream u : upstreams.all()) {
      if (checker.probes(u)) {
        u.endpoints().forEach(e -> checker.watch(u, e));
      }
    }
    leases.start();
    if (checker.watched() > 0 || !leases.registries().isEmpty()) {
      LOG.info(
          "health: probing {} endpoint(s); leases on {}",
          checker.watched(),
          leases.registries().isEmpty() ? "no upstream" : String.join(", ", leases.registries().keySet()));
    }
  }

  /** @return the leased endpoints (admin serves their routes). */
  public LeaseService leases() {
    return leases;
  }

  /** @return why {@code /ready} is 503: an upstream of {@code admin.readyWhenHealthy} without a healthy endpoint. */
  public Optional<String> notReadyReason() {
    Map<String, Integer> healthy = new LinkedHashMap<>();
    for (String name : config.admin().readyWhenHealthy()) {
      Upstream u = upstreams.get(name);
      healthy.put(name, u == null ? 0 : u.healthyCount());
    }
    return ReadinessGate.notReadyReason(healthy);
  }

  /**
   * @return the health part of an endpoint's {@code /admin/state} entry: {@code healthy}, {@code
   *     lastProbe} (ms ago, or null), {@code consecutiveFailures}, and for a leased endpoint {@code
   *     leaseExpiresInMillis}
   */
  public Map<String, Object> describe(Endpoint endpoint) {
    Map<String, Object> m = EndpointDescription.describe(endpoint.health(), endpoint.isHealthy(), ticker.nanos());
    LeaseRegistry registry = leases.registry(endpoint.upstream());
    if (registry != null) {
      OptionalLong remaining = registry.remainingNanos(endpoint.key());
      if (remaining.isPresent()) {
        m.put("leaseExpiresInMillis", TimeUnit.NANOSECONDS.toMillis(remaining.getAsLong()));
      }
    }
    return m;
  }

  /** Stops probes, sweeps and webhook calls; call before the event loops shut down. */
  @Override
  public void close() {
    leases.close();
    checker.close();
    if (recovery != null) {
      recovery.close();
    }
  }
}
