package io.salve.proxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.salve.proxy.coord.CoordinationListener;
import io.salve.proxy.coord.LeaderView;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Coordination meters: {@code salve_etcd_up}, {@code salve_leader}, {@code salve_leader_changes_total}. */
public final class CoordinationMetrics implements CoordinationListener {
  private final MeterRegistry registry;
  private final AtomicInteger etcdUp = new AtomicInteger();
  private final Map<String, AtomicInteger> leading = new ConcurrentHashMap<>();
  private final Map<String, Counter> changes = new ConcurrentHashMap<>();

  public CoordinationMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("salve.etcd.up", etcdUp, AtomicInteger::get)
        .description("1 while etcd answers salve's calls")
        .register(registry);
  }

  @Override
  public void onEtcdConnectivity(boolean up) {
    etcdUp.set(up ? 1 : 0);
  }

  @Override
  public void onElection(String election) {
    AtomicInteger self = new AtomicInteger();
    leading.put(election, self);
    Gauge.builder("salve.leader", self, AtomicInteger::get)
        .description("1 while this instance leads the election")
        .tags("election", election)
        .register(registry);
    changes.put(
        election,
        Counter.builder("salve.leader.changes")
            .description("New leadership terms (fencing tokens) of the election seen by this instance")
            .tags("election", election)
            .register(registry));
  }

  @Override
  public void onLeaderChange(LeaderView previous, LeaderView current) {
    AtomicInteger self = leading.get(current.election());
    if (self != null) {
      self.set(current.self() ? 1 : 0);
    }
    Counter c = changes.get(current.election());
    // One change per leadership term: a new fencing token, whoever holds it.
    if (c != null
        && current.fencingToken() != null
        && !current.fencingToken().equals(previous.fencingToken())) {
      c.increment();
    }
  }
}
