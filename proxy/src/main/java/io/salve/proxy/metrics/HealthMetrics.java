package io.salve.proxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.salve.proxy.health.HealthListener;
import io.salve.proxy.health.LeaseRegistry;
import io.salve.proxy.health.ProbeResult;
import io.salve.proxy.upstream.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The self-healing meters, a {@link HealthListener} so the health runtime never names a meter:
 *
 * <ul>
 *   <li>{@code salve_endpoint_healthy{upstream,endpoint}}: 1 healthy, 0 unhealthy (probed upstreams)
 *   <li>{@code salve_health_checks_total{upstream,endpoint,result}}: probes by result, pass|fail
 *   <li>{@code salve_leases{upstream}}: active leases
 *   <li>{@code salve_lease_expirations_total{upstream}}: leases that lapsed without renewal
 *   <li>{@code salve_recovery_actions_total{upstream,result}}: webhook calls, success|failure
 * </ul>
 */
public final class HealthMetrics implements HealthListener {

  private final MeterRegistry registry;
  private final Map<String, Counter> checks = new ConcurrentHashMap<>();
  private final Map<String, Counter> expirations = new ConcurrentHashMap<>();
  private final Map<String, Counter> actions = new ConcurrentHashMap<>();

  public HealthMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /** Registers the health gauge of a probed endpoint (static, or leased when it joins). */
  @Override
  public void bindEndpoint(Endpoint e) {
    Gauge.builder("salve.endpoint.healthy", e, x -> x.isHealthy() ? 1.0 : 0.0)
        .description("1 while the endpoint passes active health probes, 0 while it is marked unhealthy")
        .tags("upstream", e.upstream(), "endpoint", e.key())
        .strongReference(true)
        .register(registry);
  }

  /**
   * Removes every gauge of an endpoint that left (its health gauge and any other per-endpoint
   * gauge, such as connection gauges), so a later endpoint with the same address gets fresh ones.
   * Counters stay: they are cumulative.
   */
  @Override
  public void unbindEndpoint(Endpoint e) {
    List<Meter> gone = new ArrayList<>();
    for (Meter m : registry.getMeters()) {
      if (m instanceof Gauge
          && e.upstream().equals(m.getId().getTag("upstream"))
          && e.key().equals(m.getId().getTag("endpoint"))) {
        gone.add(m);
      }
    }
    gone.forEach(registry::remove);
  }

  /** Registers the lease gauge and expiry counter of an upstream that takes leases. */
  @Override
  public void bindLeases(LeaseRegistry leases) {
    Gauge.builder("salve.leases", leases, LeaseRegistry::size)
        .description("Endpoints with an active lease")
        .tags("upstream", leases.upstream())
        .strongReference(true)
        .register(registry);
    expirations(leases.upstream());
    leases.addListener(this);
  }

  /** Pre-registers the recovery counters of an upstream so they show 0 before the first action. */
  @Override
  public void bindRecovery(String upstream) {
    action(upstream, true);
    action(upstream, false);
  }

  @Override
  public void onProbe(Endpoint endpoint, ProbeResult result) {
    String res = result.passed() ? "pass" : "fail";
    String key = endpoint.upstream() + '\u0000' + endpoint.key() + '\u0000' + res;
    Counter c = checks.get(key);
    if (c == null) {
      c =
          checks.computeIfAbsent(
              key,
              k ->
                  Counter.builder("salve.health.checks")
                      .description("Active health probes by result")
                      .tags("upstream", endpoint.upstream(), "endpoint", endpoint.key(), "result", res)
                      .register(registry));
    }
    c.increment();
  }

  @Override
  public void onRegistered(String upstream, String endpoint) {}

  @Override
  public void onExpired(String upstream, String endpoint) {
    expirations(upstream).increment();
  }

  @Override
  public void onRevoked(String upstream, String endpoint) {}

  @Override
  public void onAction(String upstream, boolean success) {
    action(upstream, success).increment();
  }

  private Counter expirations(String upstream) {
    return expirations.computeIfAbsent(
        upstream,
        u ->
            Counter.builder("salve.lease.expirations")
                .description("Leases that lapsed without being renewed")
                .tags("upstream", u)
                .register(registry));
  }

  private Counter action(String upstream, boolean success) {
    String result = success ? "success" : "failure";
    return actions.computeIfAbsent(
        upstream + '\u0000' + result,
        k ->
            Counter.builder("salve.recovery.actions")
                .description("Recovery webhook calls by result")
                .tags("upstream", upstream, "result", result)
                .register(registry));
  }
}
