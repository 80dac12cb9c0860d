package io.salve.proxy.resilience;

import io.salve.config.OutlierDetectionConfig;
import io.salve.proxy.util.Ticker;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each endpoint's health is an immutable snapshot swapped by compare-and-set. The number of
 * ejected endpoints is a counter changed only by whoever wins the snapshot's ejected/not-ejected
 * flip, so it stays exact and the percentage limit holds under concurrency.
 */
final class DefaultOutlierDetector implements OutlierDetector {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultOutlierDetector.class);

  private final String upstream;
  private final Ticker ticker;
  private final int threshold;
  private final long baseNanos;
  private final long maxNanos;
  private final int maxEjectionPercent;
  private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
  private final AtomicInteger ejected = new AtomicInteger();
  private final List<OutlierListener> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean endpointSetKnown;

  /**
   * @param removed terminal: the endpoint left the set, and a racing thread must not revive it
   */
  private record Health(
      int failures,
      int ejections,
      boolean ejected,
      long ejectedAt,
      long ejectionNanos,
      boolean removed) {
    static final Health NEW = new Health(0, 0, false, 0, 0, false);

    Health withFailures(int n) {
      return new Health(n, ejections, ejected, ejectedAt, ejectionNanos, removed);
    }

    Health returned() {
      return new Health(0, ejections, false, 0, 0, removed);
    }
  }

  private static final class Endpoint {
    final String address;
    final AtomicReference<Health> health = new AtomicReference<>(Health.NEW);

    Endpoint(String address) {
      this.address = address;
    }
  }

  DefaultOutlierDetector(String upstream, OutlierDetectionConfig config, Ticker ticker) {
    this.upstream = Objects.requireNonNull(upstream, "upstream");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.threshold = Math.max(1, config.consecutiveFailures());
    this.baseNanos = Durations.toNanos(config.baseEjectionTime());
    this.maxNanos = Durations.toNanos(config.maxEjectionTime());
    this.maxEjectionPercent = Math.max(0, config.maxEjectionPercent());
  }

  @Override
  public void onSuccess(String endpoint) {
    Endpoint ep = endpoints.get(endpoint);
    if (ep == null) {
      return;
    }
    while (true) {
      Health h = ep.health.get();
      if (h.failures == 0 || ep.health.compareAndSet(h, h.withFailures(0))) {
        return;
      }
    }
  }

  @Override
  public boolean onFailure(String endpoint) {
    Endpoint ep = tracked(endpoint);
    if (ep == null) {
      return false;
    }
    while (true) {
      Health h = ep.health.get();
      if (h.removed) {
        return false;
      }
      if (h.ejected) {
        if (!expired(h)) {
          return false; // the attempt was under way before the ejection
        }
        lift(ep, h);
        continue;
      }
      int failures = h.failures == Integer.MAX_VALUE ? h.failures : h.failures + 1;
      if (failures < threshold) {
        if (ep.health.compareAndSet(h, h.withFailures(failures))) {
          return false;
        }
        continue;
      }
      if (!reserveEjection()) {
        // Kept at the threshold, so its next failure tries again once there is room.
        if (ep.health.compareAndSet(h, h.withFailures(failures))) {
          return false;
        }
        continue;
      }
      int ejections = h.ejections == Integer.MAX_VALUE ? h.ejections : h.ejections + 1;
      long duration = Math.min(maxNanos, Durations.saturatedMultiply(baseNanos, ejections));
      Health next = new Health(0, ejections, true, ticker.nanos(), duration, false);
      if (ep.health.compareAndSet(h, next)) {
        notifyEjected(ep.address, duration);
        return true;
      }
      ejected.decrementAndGet();
    }
  }

  @Override
  public boolean isEjected(String endpoint) {
    Endpoint ep = endpoints.get(endpoint);
    if (ep == null) {
      return false;
    }
    while (true) {
      Health h = ep.health.get();
      if (!h.ejected) {
        return false;
      }
      if (!expired(h)) {
        return true;
      }
      lift(ep, h);
    }
  }

  @Override
  public void unEject(String endpoint) {
    Endpoint ep = endpoints.get(endpoint);
    if (ep == null) {
      return;
    }
    Health h;
    do {
      h = ep.health.get();
    } while (h.ejected && !lift(ep, h));
  }

  @Override
  public int ejections(String endpoint) {
    Endpoint ep = endpoints.get(endpoint);
    return ep == null ? 0 : ep.health.get().ejections;
  }

  @Override
  public int ejectedCount() {
    liftExpired();
    return ejected.get();
  }

  @Override
  public void setEndpoints(Collection<String> addresses) {
    Set<String> wanted = Set.copyOf(addresses);
    endpointSetKnown = true;
    for (String address : wanted) {
      endpoints.computeIfAbsent(address, Endpoint::new);
    }
    for (Endpoint ep : endpoints.values()) {
      if (!wanted.contains(ep.address)) {
        remove(ep);
      }
    }
  }

  @Override
  public void addListener(OutlierListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  @Override
  public Map<String, Object> describe(String endpoint) {
    boolean isEjected = isEjected(endpoint);
    Endpoint ep = endpoints.get(endpoint);
    Health h = ep == null ? Health.NEW : ep.health.get();
    long remaining =
        h.ejected ? Math.max(0, h.ejectionNanos - (ticker.nanos() - h.ejectedAt)) : 0;
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("ejected", isEjected);
    out.put("ejections", h.ejections);
    out.put("consecutiveFailures", h.failures);
    out.put("remainingEjectionMillis", Durations.ceilMillis(remaining));
    return Collections.unmodifiableMap(out);
  }

  @Override
  public String toString() {
    return "OutlierDetector[" + upstream + ", " + ejected.get() + " ejected]";
  }

  private Endpoint tracked(String address) {
    Endpoint ep = endpoints.get(address);
    if (ep != null || endpointSetKnown) {
      return ep;
    }
    return endpoints.computeIfAbsent(address, Endpoint::new);
  }

  private boolean expired(Health h) {
    return ticker.nanos() - h.ejectedAt >= h.ejectionNanos;
  }

  /** Takes a slot under the ejection limit, first freeing expired ones if the limit is reached. */
  private boolean reserveEjection() {
    int allowed = Math.max(1, endpoints.size() * maxEjectionPercent / 100);
    while (true) {
      int current = ejected.get();
      if (current >= allowed) {
        if (liftExpired()) {
          continue;
        }
        return false;
      }
      if (ejected.compareAndSet(current, current + 1)) {
        return true;
      }
    }
  }

  /** @return whether any expired ejection was lifted */
  private boolean liftExpired() {
    boolean any = false;
    for (Endpoint ep : endpoints.values()) {
      Health h = ep.health.get();
      if (h.ejected && expired(h) && lift(ep, h)) {
        any = true;
      }
    }
    return any;
  }

  /** Flips an ejected endpoint back; only the winner of the flip counts and notifies. */
  private boolean lift(Endpoint ep, Health h) {
    if (!ep.health.compareAndSet(h, h.returned())) {
      return false;
    }
    ejected.decrementAndGet();
    for (OutlierListener listener : listeners) {
      try {
        listener.onReturned(upstream, ep.address);
      } catch (RuntimeException e) {
        LOG.warn("outlier listener failed for upstream {}", upstream, e);
      }
    }
    return true;
  }

  private void remove(Endpoint ep) {
    Health h;
    do {
      h = ep.health.get();
    } while (!h.removed
        && !ep.health.compareAndSet(h, new Health(0, 0, false, 0, 0, true)));
    if (h.ejected && !h.removed) {
      ejected.decrementAndGet();
    }
    endpoints.remove(ep.address, ep);
  }

  private void notifyEjected(String address, long duration) {
    for (OutlierListener listener : listeners) {
      try {
        listener.onEjected(upstream, address, duration);
      } catch (RuntimeException e) {
        // A broken observer must not break the request whose failure caused the ejection.
        LOG.warn("outlier listener failed for upstream {}", upstream, e);
      }
    }
  }
}
