package io.salve.proxy;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.salve.config.ConfigLoader;
import io.salve.config.SalveConfig;
import io.salve.proxy.admin.AdminRoute;
import io.salve.proxy.admin.LeaderRoutes;
import io.salve.proxy.admin.LeaseRoutes;
import io.salve.proxy.admin.AdminServer;
import io.salve.proxy.admin.StandardRoutes;
import io.salve.proxy.coord.Coordination;
import io.salve.proxy.forward.CompositeObserver;
import io.salve.proxy.forward.ExchangeObserver;
import io.salve.proxy.health.HealthSubsystem;
import io.salve.proxy.metrics.AccessLog;
import io.salve.proxy.metrics.CoordinationMetrics;
import io.salve.proxy.metrics.DiscoveryMetrics;
import io.salve.proxy.metrics.GcMetrics;
import io.salve.proxy.metrics.HealthMetrics;
import io.salve.proxy.metrics.ProcessMetrics;
import io.salve.proxy.metrics.ProxyMetrics;
import io.salve.proxy.metrics.TunnelMetrics;
import io.salve.proxy.metrics.TlsMetrics;
import io.salve.proxy.metrics.ReloadMetrics;
import io.salve.proxy.metrics.UpstreamMeters;
import io.salve.proxy.reload.ConfigDiff;
import io.salve.proxy.reload.LoadedConfig;
import io.salve.proxy.reload.ReloadCoordinator;
import io.salve.proxy.server.SalveServer;
import io.salve.proxy.tls.TlsEngine;
import io.salve.proxy.tls.TlsMaterialException;
import io.salve.proxy.tls.TlsSetup;
import io.salve.proxy.transport.Transports;
import io.salve.proxy.shed.LoadShedding;
import io.salve.proxy.admin.LoadStateRoutes;
import io.salve.proxy.metrics.ShedMetrics;
import io.salve.proxy.upstream.Endpoint;
import io.salve.proxy.upstream.EndpointSource;
import io.salve.proxy.upstream.Upstream;
import io.salve.proxy.upstream.Upstreams;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One running salve: event loops, upstreams, listeners, admin, metrics and access log, wired together. */
public final class Salve implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Salve.class);
  /** How long shutdown waits for etcd to accept the resignation and lease revocations. */
  private static final Duration COORDINATION_STEP_DOWN = Duration.ofSeconds(3);

  private volatile SalveConfig config;
  private final EventLoopGroup workers;
  private final EventLoopGroup adminLoop;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private volatile Upstreams upstreams;
  private final AccessLog accessLog;
  private final CompositeObserver observer;
  private final SalveServer server;
  private final TlsSetup tls;
  private final AdminServer admin;
  private final HealthSubsystem health;
  private final LoadShedding shedding;
  private final Reconfiguration reconfiguration;
  private final LoadedConfig unloaded;
  private ReloadCoordinator reloads;
  /** Null without a coordination section: then no etcd or gRPC class is ever loaded. */
  private final Coordination coordination;
  private InetSocketAddress adminAddress;
  private InetSocketAddress probesAddress;
  private final int eventLoops;
  private Duration warmUp = Duration.ZERO;

  public Salve(SalveConfig config, int eventLoops) {
    this.eventLoops = eventLoops;
    registry.config().meterFilter(ProcessMetrics.names()); // before any meter is bound
    this.config = config;
    this.unloaded = new LoadedConfig(config, "none (not loaded from a file)");
    // First: unusable certificates stop the start before any thread or socket exists.
    try {
      this.tls = new TlsSetup(config, new TlsMetrics(registry),
          Duration.ofMillis(Long.getLong("salve.reload.debounceMillis", 300)));
    } catch (TlsMaterialException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
    this.workers = Transports.newGroup(eventLoops, "salve-io");
    this.adminLoop = Transports.newGroup(1, "salve-admin");
    this.upstreams = new Upstreams(config, eventLoops, tls::upstreamTls);
    ProxyMetrics metrics = new ProxyMetrics(registry);
    List<ExchangeObserver> observers = new ArrayList<>();
    observers.add(metrics);
    TunnelMetrics tunnelMetrics = new TunnelMetrics(registry);
    observers.add(tunnelMetrics);
    if (config.accessLog().enabled()) {
      accessLog = new AccessLog(new FileOutputStream(FileDescriptor.out));
      accessLog.bindTo(registry);
      observers.add(accessLog);
    } else {
      accessLog = null;
    }
    this.observer = new CompositeObserver(observers);
    UpstreamMeters upstreamMeters = new UpstreamMeters(registry, metrics);
    upstreams.all().forEach(upstreamMeters::bind);
    config.listeners().forEach(l -> metrics.bindListener(l.name()));
    config.listeners().forEach(l -> tunnelMetrics.bindListener(l.name()));
    bindJvmMetrics();
    this.shedding = LoadShedding.create(config, workers);
    ShedMetrics.bind(registry, shedding, config);
    this.server = new SalveServer(config, workers, upstreams, observer, shedding, tls.listeners());
    this.admin = new AdminServer(adminLoop);
    this.health = new HealthSubsystem(config, upstreams, workers, new HealthMetrics(registry), metrics::bindEndpoint);
    if (config.coordination() != null) {
      this.coordination = Coordination.create(config, upstreams);
      coordination.addListener(new CoordinationMetrics(registry));
      coordination.endpointSources().forEach((name, source) -> DiscoveryMetrics.bind(registry, name, source));
    } else {
      this.coordination = null;
    }
    this.reconfiguration = new Reconfiguration(server, health, upstreamMeters, metrics, workers);
  }

  /**
   * Makes this salve reloadable from {@code file}, the file its configuration was loaded from: on
   * SIGHUP ({@link #reload}) and, with {@code reload.watch}, when the file changes. Call before
   * {@link #start()}.
   */
  public void enableReload(Path file, ConfigLoader loader) throws IOException {
    LoadedConfig loaded = new LoadedConfig(config, LoadedConfig.hash(Files.readAllBytes(file)));
    Duration debounce = Duration.ofMillis(Long.getLong("salve.reload.debounceMillis", 300));
    reloads = new ReloadCoordinator(file, loader, loaded, this::apply, new ReloadMetrics(registry), debounce);
  }

  /**
   * Sends requests through the forwarding path for {@code duration} on loopback when {@link #start()}
   * runs, after the admin server is up (live, not ready) and before anything else starts, so that the
   * first real requests find it compiled ({@link WarmUp}). Zero, the default, skips it.
   */
  public void warmUpFor(Duration duration) {
    this.warmUp = duration;
  }

  /** Reloads the configuration file soon, off the caller's thread (SIGHUP). */
  public void reload(String trigger) {
    if (reloads == null) {
      LOG.warn("{}: this salve was not started from a configuration file; nothing to reload", trigger);
      return;
    }
    reloads.requestReload(trigger);
  }

  /** Runs on the reload thread: swaps in a validated configuration. */
  private void apply(SalveConfig next, ConfigDiff diff) throws InterruptedException {
    upstreams = reconfiguration.apply(next, upstreams);
    config = next;
  }

  private LoadedConfig loadedConfig() {
    return reloads == null ? unloaded : reloads.current();
  }

  private void bindJvmMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new GcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /** Binds admin and its probe port first (so /live answers during startup), then every listener. */
  public void start() throws InterruptedException {
    List<AdminRoute> routes =
        new ArrayList<>(StandardRoutes.of(this::loadedConfig, registry::scrape, this::notReadyReason, this::state));
    routes.addAll(LeaseRoutes.of(health.leases()));
    routes.addAll(LoadStateRoutes.of(shedding));
    if (coordination != null) {
      coordination.leaderBoard().ifPresent(board -> routes.addAll(LeaderRoutes.of(board)));
    }
    adminAddress = admin.start("admin", config.admin().address(), routes);
    if (config.admin().probes() != null) {
      probesAddress =
          admin.start("admin probes", config.admin().probes().address(), StandardRoutes.probes(registry::scrape, this::notReadyReason));
    }
    // Before the probes, the coordination and the shedder's load monitor start: the warm-up's load
    // must not delay a probe, hold up a lease or read as the load of real traffic.
    if (!warmUp.isZero()) {
      WarmUp.run(workers, eventLoops, warmUp);
    }
    health.start();
    if (coordination != null) {
      coordination.start();
      coordination.endpointSources().forEach((name, source) -> health.attach(upstreams.get(name), source));
    }
    shedding.start();
    server.start();
    if (reloads != null) {
      reloads.start();
    }
    LOG.info("salve ready ({} transport, {} listener(s){})", Transports.name(), config.listeners().size(), tlsEngine());
  }

  /** @return {@code , TLS engine openssl (...)} when some listener or upstream uses TLS, else nothing */
  private String tlsEngine() {
    boolean any = config.listeners().stream().anyMatch(l -> l.tls() != null)
        || config.upstreams().values().stream().anyMatch(u -> u.tls() != null);
    return any ? ", TLS engine " + TlsEngine.describe() : "";
  }

  private Optional<String> notReadyReason() {
    if (server.isDraining()) {
      return Optional.of("draining");
    }
    if (!server.isServing()) {
      return Optional.of("listeners not bound yet");
    }
    return health.notReadyReason();
  }

  /** @return the runtime state document served at /admin/state. */
  public Map<String, Object> state() {
    Map<String, Object> doc = new LinkedHashMap<>();
    Map<String, Object> listeners = new LinkedHashMap<>();
    server.boundAddresses().forEach((name, addr) -> listeners.put(name, Map.of("address", addr.getAddress().getHostAddress() + ":" + addr.getPort())));
    doc.put("listeners", listeners);
    Map<String, Object> ups = new LinkedHashMap<>();
    for (Upstream u : upstreams.all()) { // one generation: a reload replaces the whole Upstreams
      List<Map<String, Object>> eps = new ArrayList<>();
      for (Endpoint e : u.endpoints()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("address", e.key());
        m.put("weight", e.weight());
        m.put("inFlight", e.inFlight().get());
        m.put("openConnections", e.openConnections().get());
        m.put("idleConnections", e.idleConnections().get());
        m.put("openStreams", e.openStreams().get());
        m.putAll(health.describe(e));
        if (u.outliers() != null) {
          m.putAll(u.outliers().describe(e.key()));
        }
        eps.add(m);
      }
      Map<String, Object> um = new LinkedHashMap<>();
      um.put("loadBalancer", u.config().loadBalancer().key());
      um.put("protocol", u.config().protocol().key());
      um.put("inFlight", u.bulkhead().inFlight());
      um.put("maxConcurrentRequests", u.bulkhead().max());
      if (u.breaker() != null) {
        um.put("circuitBreaker", u.breaker().describe());
      }
      um.put("endpoints", eps);
      String empty = u.emptyReason();
      if (empty != null) {
        um.put("noEndpointReason", empty);
      }
      for (EndpointSource source : u.sources()) {
        um.put("discovery", source.describe());
      }
      ups.put(u.name(), um);
    }
    doc.put("upstreams", ups);
    doc.put("inFlight", observer.inFlight());
    doc.put("draining", server.isDraining());
    doc.put("loadShedding", shedding.describe());
    if (coordination != null) {
      doc.put("coordination", coordination.describe());
    }
    return doc;
  }

  public Map<String, InetSocketAddress> listenerAddresses() {
    return server.boundAddresses();
  }

  public InetSocketAddress adminAddress() {
    return adminAddress;
  }

  /** @return where the probe port is bound, or null when {@code admin.probes} is not configured. */
  public InetSocketAddress probesAddress() {
    return probesAddress;
  }

  /**
   * Graceful shutdown: drain up to the configured timeout, then release everything, and log the last
   * line ({@code drained N requests in T, exiting}).
   *
   * @return whether every request in flight finished within the timeout
   */
  public boolean shutdown() throws InterruptedException {
    if (coordination != null) {
      // Resign and revoke before draining: another instance can take over while this one drains.
      coordination.stepDown(COORDINATION_STEP_DOWN);
    }
    return Drain.run(server, observer, config.drainTimeout(), this::close);
  }

  @Override
  public void close() {
    if (reloads != null) {
      reloads.close();
    }
    server.close();
    shedding.close();
    admin.close();
    health.close();
    if (coordination != null) {
      coordination.close();
    }
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    adminLoop.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    upstreams.close();
    tls.close();
    if (accessLog != null) {
      accessLog.close();
    }
    registry.close();
    if (Boolean.getBoolean("salve.leakCheckOnExit")) {
      LeakSweep.run();
    }
  }
}
