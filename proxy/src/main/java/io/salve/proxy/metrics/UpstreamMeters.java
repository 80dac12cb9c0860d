package io.salve.proxy.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.salve.proxy.resilience.TransitionLog;
import io.salve.proxy.upstream.Upstream;
import java.util.ArrayList;
import java.util.List;

/**
 * Attaches an upstream's gauges and transition log when it starts running (at startup, or when a
 * reload adds or replaces it) and removes its gauges when a reload retires it, so the gauges of a
 * replaced upstream read the new running object, not the old one. Counters stay: they are
 * cumulative per upstream name.
 */
public final class UpstreamMeters {
  private final MeterRegistry registry;
  private final ProxyMetrics proxy;
  private final ResilienceMetrics resilience;
  private final TransitionLog transitions = new TransitionLog();

  public UpstreamMeters(MeterRegistry registry, ProxyMetrics proxy) {
    this.registry = registry;
    this.proxy = proxy;
    this.resilience = new ResilienceMetrics(registry);
  }

  /** Registers the upstream's connection, breaker and ejection gauges; logs its transitions. */
  public void bind(Upstream u) {
    proxy.bindUpstream(u);
    resilience.bind(u);
    if (u.breaker() != null) {
      u.breaker().addListener(transitions);
    }
    if (u.outliers() != null) {
      u.outliers().addListener(transitions);
    }
  }

  /** Removes every gauge labelled with the upstream's name. */
  public void unbind(Upstream u) {
    List<Meter> gone = new ArrayList<>();
    for (Meter m : registry.getMeters()) {
      if (m instanceof Gauge && u.name().equals(m.getId().getTag("upstream"))) {
        gone.add(m);
      }
    }
    gone.forEach(registry::remove);
  }
}
