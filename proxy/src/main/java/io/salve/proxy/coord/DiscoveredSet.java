package io.salve.proxy.coord;

import io.salve.config.HostPort;
import io.salve.proxy.util.Ticker;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What discovery knows of one service: the registrations last seen in etcd, the revision they are
 * current at, and whether they are known to be current now. Plain state with an injected ticker and
 * clock; {@link EtcdDiscovery} feeds it from etcd.
 *
 * <p>The set is only ever replaced or edited by what etcd says: losing etcd marks it stale and keeps
 * it (the last known set keeps serving), and the next full read replaces it whole (reconciliation).
 *
 * <p>Thread-safety: written by one thread (the coordination thread); {@link #snapshot()} and the
 * getters may be read from any thread.
 */
final class DiscoveredSet {
  private static final Logger LOG = LoggerFactory.getLogger(DiscoveredSet.class);

  /** An immutable view for readers on other threads. */
  record Snapshot(
      List<HostPort> endpoints, boolean synced, long lastSyncNanos, Instant lastSync, long revision, String lastError) {}

  private final String upstream;
  private final String service;
  private final Ticker ticker;
  private final Clock clock;
  private final long startedNanos;
  /** etcd key to the address it registers; keys whose value is not a registration are absent. */
  private final Map<String, HostPort> byKey = new TreeMap<>();
  private volatile Snapshot snapshot;

  DiscoveredSet(String upstream, String service, Ticker ticker, Clock clock) {
    this.upstream = Objects.requireNonNull(upstream, "upstream");
    this.service = Objects.requireNonNull(service, "service");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.startedNanos = ticker.nanos();
    this.snapshot = new Snapshot(List.of(), false, 0L, null, 0L, null);
  }

  String upstream() {
    return upstream;
  }

  String service() {
    return service;
  }

  /**
   * A full read of the service's keys at {@code revision}: replaces the set and marks it current.
   *
   * @return whether the endpoints changed
   */
  boolean replaceAll(Map<String, String> valuesByKey, long revision) {
    List<HostPort> before = endpoints();
    byKey.clear();
    valuesByKey.forEach(this::parseInto);
    boolean changed = !before.equals(distinct());
    if (changed || !snapshot.synced()) {
      LOG.info(
          "discovery of etcd service '{}' for upstream {}: {} endpoint(s) at revision {}{}",
          service,
          upstream,
          byKey.size(),
          revision,
          snapshot.lastSync() == null ? "" : " (reconciled)");
    }
    publish(true, revision, null);
    return changed;
  }

  /**
   * Watch events in order, the newest at {@code revision}: a put adds or replaces a key, a delete
   * (or the expiry of its lease) removes it.
   *
   * @param events key to new value, or to null for a delete
   * @return whether the endpoints changed
   */
  boolean apply(Collection<Map.Entry<String, String>> events, long revision) {
    List<HostPort> before = endpoints();
    for (Map.Entry<String, String> e : events) {
      if (e.getValue() == null) {
        HostPort gone = byKey.remove(e.getKey());
        if (gone != null) {
          LOG.info("discovery: {} left etcd service '{}' (upstream {})", gone, service, upstream);
        }
      } else {
        HostPort old = byKey.get(e.getKey());
        if (parseInto(e.getKey(), e.getValue()) && !Objects.equals(old, byKey.get(e.getKey()))) {
          LOG.info("discovery: {} joined etcd service '{}' (upstream {})", byKey.get(e.getKey()), service, upstream);
        }
      }
    }
    publish(true, Math.max(snapshot.revision(), revision), null);
    return !before.equals(endpoints());
  }

  /** etcd confirmed (by a progress notification) that nothing changed up to {@code revision}. */
  void confirmed(long revision) {
    publish(true, Math.max(snapshot.revision(), revision), null);
  }

  /** The watch is lost: the set is kept but is no longer known to be current. */
  void lost(String reason) {
    Snapshot s = snapshot;
    if (s.synced()) {
      LOG.warn(
          "discovery of etcd service '{}' for upstream {} is stale ({}); keeping the last known {} endpoint(s)",
          service,
          upstream,
          reason,
          s.endpoints().size());
    }
    snapshot = new Snapshot(s.endpoints(), false, s.lastSyncNanos(), s.lastSync(), s.revision(), reason);
  }

  /** @return the addresses, in key order, each once. */
  List<HostPort> endpoints() {
    return snapshot.endpoints();
  }

  Snapshot snapshot() {
    return snapshot;
  }

  /** @return seconds since the set was last known current, 0 while it is; since start before any sync. */
  double staleSeconds() {
    Snapshot s = snapshot;
    if (s.synced()) {
      return 0.0;
    }
    long since = s.lastSync() == null ? startedNanos : s.lastSyncNanos();
    return Math.max(0L, ticker.nanos() - since) / (double) TimeUnit.SECONDS.toNanos(1);
  }

  /** @return the {@code discovery} part of the upstream's {@code /admin/state} entry. */
  Map<String, Object> describe() {
    Snapshot s = snapshot;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("service", service);
    m.put("endpoints", s.endpoints().stream().map(HostPort::toString).toList());
    m.put("lastSync", s.lastSync() == null ? null : s.lastSync().toString());
    m.put("revision", s.revision());
    m.put("stale", !s.synced());
    m.put("staleSeconds", Math.floor(staleSeconds() * 10) / 10);
    if (!s.synced() && s.lastError() != null) {
      m.put("lastError", s.lastError());
    }
    return m;
  }

  /** @return why discovery has supplied no endpoint, or null when it has some. */
  String emptyReason() {
    Snapshot s = snapshot;
    if (!s.endpoints().isEmpty()) {
      return null;
    }
    if (s.lastSync() == null) {
      return "waiting for the first read of etcd service '" + service + "'"
          + (s.lastError() == null ? "" : " (" + s.lastError() + ")");
    }
    return "etcd service '" + service + "' has no live registration";
  }

  private boolean parseInto(String key, String value) {
    try {
      byKey.put(key, Registrations.address(value));
      return true;
    } catch (IllegalArgumentException e) {
      byKey.remove(key);
      LOG.warn("discovery: ignoring etcd key {} of service '{}': {}", key, service, e.getMessage());
      return false;
    }
  }

  private List<HostPort> distinct() {
    List<HostPort> eps = new ArrayList<>();
    for (HostPort hp : byKey.values()) {
      if (!eps.contains(hp)) {
        eps.add(hp);
      }
    }
    return List.copyOf(eps);
  }

  private void publish(boolean synced, long revision, String error) {
    snapshot = new Snapshot(distinct(), synced, ticker.nanos(), clock.instant(), revision, error);
  }
}
