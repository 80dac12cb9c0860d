package io.salve.proxy.health;

import io.salve.config.LeasesConfig;
import io.salve.proxy.util.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded lease registry of one upstream: endpoints that registered themselves over the admin
 * API stay registered while they keep renewing their lease.
 *
 * <p>A lease is active while the ticker reads strictly less than its expiry, so a lease granted
 * with TTL {@code t} at time {@code n} is expired at exactly {@code n + t}. Reads ({@link
 * #active()}, {@link #size()}, {@link #remainingNanos}) judge expiry by the ticker, so they never
 * report an expired lease even before {@link #expire()} has swept it.
 *
 * <p>Thread-safety: reads are lock-free and may come from any thread. Writes ({@link
 * #grantOrRenew}, {@link #revoke}, {@link #expire()}) are serialised by an internal lock, which
 * also makes {@link LeaseListener} events arrive in the order the state changed; the read paths
 * never take it.
 */
public final class LeaseRegistry {

  private static final Logger LOG = LoggerFactory.getLogger(LeaseRegistry.class);

  /** What the registry keeps per endpoint. */
  private record Entry(long ttlNanos, long expiresAtNanos) {}

  private final String upstream;
  private final long defaultTtlNanos;
  private final Ticker ticker;
  private final Map<String, Entry> leases = new ConcurrentHashMap<>();
  private final List<LeaseListener> listeners = new CopyOnWriteArrayList<>();
  private final Object writeLock = new Object();

  /**
   * @param upstream the upstream whose endpoints are leased, passed to listeners
   * @param defaultTtl the TTL of a grant that names none; must be positive
   * @param ticker the clock leases are measured with
   * @throws IllegalArgumentException if {@code defaultTtl} is not positive
   */
  public LeaseRegistry(String upstream, Duration defaultTtl, Ticker ticker) {
    this.upstream = Objects.requireNonNull(upstream, "upstream");
    this.defaultTtlNanos = positiveNanos(defaultTtl);
    this.ticker = Objects.requireNonNull(ticker, "ticker");
  }

  /** @return a registry for {@code upstream} with the default TTL of {@code config}. */
  public static LeaseRegistry of(String upstream, LeasesConfig config, Ticker ticker) {
    return new LeaseRegistry(upstream, config.ttl(), ticker);
  }

  /**
   * Grants a lease to {@code endpoint}, or renews its active one.
   *
   * <p>Renewing an active lease moves its expiry to {@code ttl} from now (the registrant's latest
   * word wins, so a shorter TTL can bring it forward); no event fires. If the endpoint has no active
   * lease it is registered anew and {@link LeaseListener#onRegistered} fires. If its previous lease
   * has already run out but {@link #expire()} has not yet swept it, {@link LeaseListener#onExpired}
   * fires for the old lease first, so listeners still see registrations and expiries alternate.
   *
   * @param endpoint the endpoint, e.g. {@code host:port}
   * @param ttlOrNull the TTL to apply; null for the registry's default; else positive
   * @return the resulting lease
   * @throws IllegalArgumentException if {@code ttlOrNull} is zero or negative
   */
  public Lease grantOrRenew(String endpoint, Duration ttlOrNull) {
    Objects.requireNonNull(endpoint, "endpoint");
    long ttlNanos = ttlOrNull == null ? defaultTtlNanos : positiveNanos(ttlOrNull);
    synchronized (writeLock) {
      long now = ticker.nanos();
      Entry previous = leases.get(endpoint);
      Entry next = new Entry(ttlNanos, now + ttlNanos);
      leases.put(endpoint, next);
      boolean renewed = previous != null && isActive(previous, now);
      if (!renewed) {
        if (previous != null) {
          notifyListeners(Event.EXPIRED, endpoint);
        }
        notifyListeners(Event.REGISTERED, endpoint);
      }
      return new Lease(endpoint, ttlNanos, next.expiresAtNanos(), !renewed);
    }
  }

  /**
   * Revokes {@code endpoint}'s lease.
   *
   * @return true if it had an active lease, which is removed and {@link LeaseListener#onRevoked}
   *     fires; false if it had none. A lease that had already run out but was not yet swept is
   *     removed as expired ({@link LeaseListener#onExpired}) and reported as false.
   */
  public boolean revoke(String endpoint) {
    Objects.requireNonNull(endpoint, "endpoint");
    synchronized (writeLock) {
      Entry removed = leases.remove(endpoint);
      if (removed == null) {
        return false;
      }
      boolean active = isActive(removed, ticker.nanos());
      notifyListeners(active ? Event.REVOKED : Event.EXPIRED, endpoint);
      return active;
    }
  }

  /**
   * Removes every lease whose expiry has passed, firing {@link LeaseListener#onExpired} once for
   * each. Calling it again without time passing finds nothing.
   *
   * @return the expired endpoints, sorted; empty if none
   */
  public List<String> expire() {
    synchronized (writeLock) {
      long now = ticker.nanos();
      List<String> expired = new ArrayList<>();
      for (Map.Entry<String, Entry> lease : leases.entrySet()) {
        if (!isActive(lease.getValue(), now)) {
          expired.add(lease.getKey());
        }
      }
      if (expired.isEmpty()) {
        return List.of();
      }
      Collections.sort(expired); // deterministic events and logs
      for (String endpoint : expired) {
        leases.remove(endpoint);
        notifyListeners(Event.EXPIRED, endpoint);
      }
      return Collections.unmodifiableList(expired);
    }
  }

  /**
   * @return a sorted, unmodifiable snapshot of the endpoints whose lease the ticker has not yet
   *     passed, whether or not {@link #expire()} has run
   */
  public Set<String> active() {
    long now = ticker.nanos();
    TreeSet<String> active = new TreeSet<>();
    leases.forEach(
        (endpoint, lease) -> {
          if (isActive(lease, now)) {
            active.add(endpoint);
          }
        });
    return Collections.unmodifiableSet(active);
  }

  /** @return the number of endpoints with an active lease, as {@link #active()} would count. */
  public int size() {
    long now = ticker.nanos();
    int size = 0;
    for (Entry lease : leases.values()) {
      if (isActive(lease, now)) {
        size++;
      }
    }
    return size;
  }

  /**
   * @return nanoseconds until {@code endpoint}'s lease expires, always positive; empty if it has no
   *     active lease
   */
  public OptionalLong remainingNanos(String endpoint) {
    Entry lease = leases.get(endpoint);
    if (lease == null) {
      return OptionalLong.empty();
    }
    long remaining = lease.expiresAtNanos() - ticker.nanos();
    return remaining > 0 ? OptionalLong.of(remaining) : OptionalLong.empty();
  }

  /** Adds a listener for registrations, expiries and revocations from now on. */
  public void addListener(LeaseListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** @return the upstream whose endpoints this registry leases. */
  public String upstream() {
    return upstream;
  }

  /** @return the TTL applied when a grant names none, in nanoseconds. */
  public long defaultTtlNanos() {
    return defaultTtlNanos;
  }

  private static boolean isActive(Entry lease, long now) {
    // Compare by difference: monotonic nanos may wrap, so only differences are meaningful.
    return lease.expiresAtNanos() - now > 0;
  }

  private static long positiveNanos(Duration ttl) {
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("lease ttl must be positive: " + ttl);
    }
    return ttl.toNanos();
  }

  private enum Event {
    REGISTERED,
    EXPIRED,
    REVOKED
  }

  private void notifyListeners(Event event, String endpoint) {
    for (LeaseListener listener : listeners) {
      try {
        switch (event) {
          case REGISTERED -> listener.onRegistered(upstream, endpoint);
          case EXPIRED -> listener.onExpired(upstream, endpoint);
          case REVOKED -> listener.onRevoked(upstream, endpoint);
        }
      } catch (RuntimeException e) {
        // The registry's state has already changed; one faulty observer must not hide the event
        // from the others or fail the admin call / expiry sweep that caused it.
        LOG.warn("lease listener {} failed on {} of {}/{}", listener, event, upstream, endpoint, e);
      }
    }
  }
}
