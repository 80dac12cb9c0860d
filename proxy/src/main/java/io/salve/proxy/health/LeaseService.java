package io.salve.proxy.health;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import io.salve.config.HostPort;
import io.salve.proxy.admin.AdminResponse;
import io.salve.proxy.admin.AdminRoute;
import io.salve.proxy.upstream.Endpoint;
import io.salve.proxy.upstream.EndpointChange;
import io.salve.proxy.upstream.Upstream;
import io.salve.proxy.upstream.Upstreams;
import io.salve.proxy.util.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leased endpoints: one {@link LeaseRegistry} per upstream with {@code leases}, the admin routes
 * that grant, renew and revoke leases, and a periodic sweep that expires lapsed leases.
 *
 * <p>Every registration, expiry and revocation updates the upstream's dynamic endpoints ({@link
 * Upstream#setDynamicEndpoints}) and tells the {@link MembershipListener}s which endpoints joined
 * or left, so probes and gauges follow them. A lease that lapses leaves rotation at the next sweep
 * ({@code min(250ms, ttl/4)}); a request between the expiry and the sweep may still reach it.
 *
 * <p>The admin routes change routing state. They are served only on the admin address, which is
 * loopback unless {@code admin.allowNonLoopback} is set; they have no authentication of their own.
 */
public final class LeaseService implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LeaseService.class);
  private static final Duration MAX_SWEEP = Duration.ofMillis(250);
  private static final Duration MIN_SWEEP = Duration.ofMillis(10);
  /** The name leased endpoints are kept under in their upstream. */
  static final String SOURCE = "leases";

  /** Observes endpoints joining and leaving an upstream through leases. */
  public interface MembershipListener {
    void onJoined(Upstream upstream, Endpoint endpoint);

    void onLeft(Upstream upstream, Endpoint endpoint);
  }

  private final Upstreams upstreams;
  private final EventLoopGroup workers;
  private final Ticker ticker;
  private final Map<String, LeaseRegistry> registries = new LinkedHashMap<>();
  private final List<MembershipListener> membership = new CopyOnWriteArrayList<>();
  private final List<ScheduledFuture<?>> sweepers = new ArrayList<>();

  /** Creates a registry for every upstream with {@code leases}; nothing runs until {@link #start}. */
  public LeaseService(Upstreams upstreams, EventLoopGroup workers, Ticker ticker) {
    this.upstreams = Objects.requireNonNull(upstreams, "upstreams");
    this.workers = Objects.requireNonNull(workers, "workers");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    for (Upstream u : upstreams.all()) {
      if (u.config().leases() != null) {
        LeaseRegistry registry = LeaseRegistry.of(u.name(), u.config().leases(), ticker);
        registry.addListener(new Membership(u));
        registries.put(u.name(), registry);
      }
    }
  }

  /** @return the registries by upstream name, in configuration order. */
  public Map<String, LeaseRegistry> registries() {
    return Collections.unmodifiableMap(registries);
  }

  /** @return the registry of {@code upstream}, or null when it takes no leases. */
  public LeaseRegistry registry(String upstream) {
    return registries.get(upstream);
  }

  public void addMembershipListener(MembershipListener listener) {
    membership.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Starts the expiry sweeps, each on one event loop of {@code workers}. */
  public synchronized void start() {
    for (LeaseRegistry registry : registries.values()) {
      long period = sweepPeriod(Duration.ofNanos(registry.defaultTtlNanos())).toNanos();
      sweepers.add(
          workers.next().scheduleAtFixedRate(() -> sweep(registry), period, period, TimeUnit.NANOSECONDS));
    }
  }

  /** @return how often leases of a registry with default TTL {@code ttl} are swept. */
  static Duration sweepPeriod(Duration ttl) {
    Duration quarter = ttl.dividedBy(4);
    if (quarter.compareTo(MAX_SWEEP) > 0) {
      return MAX_SWEEP;
    }
    return quarter.compareTo(MIN_SWEEP) < 0 ? MIN_SWEEP : quarter;
  }

  private static void sweep(LeaseRegistry registry) {
    try {
      registry.expire(); // listeners log and apply each expiry
    } catch (RuntimeException e) {
      // A periodic task that throws is never run again: keep sweeping.
      LOG.warn("lease sweep of upstream {} failed", registry.upstream(), e);
    }
  }

  @Override
  public synchronized void close() {
    sweepers.forEach(s -> s.cancel(false));
    sweepers.clear();
  }

  /** @return the lease admin routes: {@code PUT} and {@code DELETE /admin/upstreams/{u}/endpoints/{host:port}}. */
  public List<AdminRoute> adminRoutes() {
    return List.of(new LeaseRoute());
  }

  /** Keeps one upstream's dynamic endpoints equal to its actively leased ones. */
  private final class Membership implements LeaseListener {
    private final Upstream upstream;
    // Events of one registry arrive one at a time under its write lock, so no lock of our own.
    private final Map<String, HostPort> leased = new TreeMap<>();

    Membership(Upstream upstream) {
      this.upstream = upstream;
    }

    @Override
    public void onRegistered(String name, String endpoint) {
      HostPort hp = LeaseRequest.endpoint(endpoint);
      if (hp == null) {
        LOG.warn("ignoring lease of {}/{}: not host:port", name, endpoint);
        return;
      }
      leased.put(endpoint, hp);
      LOG.info("endpoint {}/{} registered by lease", name, endpoint);
      apply();
    }

    @Override
    public void onExpired(String name, String endpoint) {
      if (leased.remove(endpoint) != null) {
        LOG.warn("lease of endpoint {}/{} expired: removed from rotation", name, endpoint);
        apply();
      }
    }

    @Override
    public void onRevoked(String name, String endpoint) {
      if (leased.remove(endpoint) != null) {
        LOG.info("lease of endpoint {}/{} revoked: removed from rotation", name, endpoint);
        apply();
      }
    }

    private void apply() {
      // Under the upstream's lock, so another source's change cannot interleave its events with ours.
      synchronized (upstream) {
        EndpointChange change = upstream.setDynamicEndpoints(SOURCE, List.copyOf(leased.values()));
        for (Endpoint e : change.left()) {
          membership.forEach(l -> tell(() -> l.onLeft(upstream, e), l));
        }
        for (Endpoint e : change.joined()) {
          membership.forEach(l -> tell(() -> l.onJoined(upstream, e), l));
        }
      }
    }

    private void tell(Runnable call, MembershipListener l) {
      try {
        call.run();
      } catch (RuntimeException e) {
        LOG.warn("membership listener {} failed", l, e);
      }
    }
  }

  /** {@code PUT|DELETE /admin/upstreams/{upstream}/endpoints/{host:port}[?ttl=5s]}. */
  private final class LeaseRoute implements AdminRoute {
    @Override
    public boolean matches(HttpMethod method, String path) {
      return (HttpMethod.PUT.equals(method) || HttpMethod.DELETE.equals(method))
          && path.startsWith(LeaseRequest.PREFIX)
          && LeaseRequest.target(path) != null;
    }

    @Override
    public AdminResponse handle(FullHttpRequest request, String path) {
      LeaseRequest.Target target = LeaseRequest.target(path);
      String name = target.upstream();
      if (upstreams.get(name) == null) {
        return AdminResponse.error(404, "unknown_upstream", "no upstream named '" + name + "'");
      }
      LeaseRegistry registry = registries.get(name);
      if (registry == null) {
        return AdminResponse.error(
            404, "leases_not_enabled", "upstream '" + name + "' takes no leased endpoints (no leases section)");
      }
      HostPort endpoint = LeaseRequest.endpoint(target.endpoint());
      if (endpoint == null) {
        return AdminResponse.error(
            400, "bad_endpoint", "expected host:port or [v6]:port with a port 1-65535, got '" + target.endpoint() + "'");
      }
      String key = endpoint.toString();
      if (HttpMethod.DELETE.equals(request.method())) {
        if (!registry.revoke(key)) {
          return AdminResponse.error(404, "unknown_endpoint", "no active lease for " + key + " in '" + name + "'");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("upstream", name);
        body.put("endpoint", key);
        body.put("removed", true);
        return AdminResponse.json(200, body);
      }
      Duration ttl = null;
      List<String> ttlParam = new QueryStringDecoder(request.uri()).parameters().get("ttl");
      if (ttlParam != null && !ttlParam.isEmpty()) {
        String text = ttlParam.get(ttlParam.size() - 1); // the last one wins, like most servers
        ttl = LeaseRequest.ttl(text);
        if (ttl == null) {
          return AdminResponse.error(
              400, "bad_ttl", "ttl must be a positive duration like 500ms, 5s or 1m, got '" + text + "'");
        }
      }
      Lease lease = registry.grantOrRenew(key, ttl);
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("upstream", name);
      body.put("endpoint", key);
      body.put("ttl", Duration.ofNanos(lease.ttlNanos()));
      body.put("expiresInMillis", Math.max(0L, TimeUnit.NANOSECONDS.toMillis(lease.expiresAtNanos() - ticker.nanos())));
      body.put("new", lease.isNew());
      return AdminResponse.json(200, body);
    }
  }
}
