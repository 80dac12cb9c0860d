package io.salve.proxy.health;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import io.salve.config.HostPort;
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
 * Leased endpoints: one {@link LeaseRegistry} per upstream with {@code leases}, and a periodic sweep
 * that expires lapsed leases. The admin routes that grant, renew and revoke leases (admin's {@code
 * LeaseRoutes}) call {@link #registry}.
 *
 * <p>Every registration, expiry and revocation updates the upstream's dynamic endpoints ({@link
 * Upstream#setDynamicEndpoints}) and tells the {@link MembershipListener}s which endpoints joined
 * or left, so probes and gauges follow them. A lease that lapses leaves rotation at the next sweep
 * ({@code min(250ms, ttl/4)}); a request between the expiry and the sweep may still reach it.
 *
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

  /** @return whether an upstream named {@code name} exists (whether or not it takes leases). */
  public boolean hasUpstream(String name) {
    return upstreams.get(name) != null;
  }

  /** @return how long until {@code lease} lapses, by this service's ticker; negative once it has. */
  public long remainingNanos(Lease lease) {
    return lease.expiresAtNanos() - ticker.nanos();
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
}
