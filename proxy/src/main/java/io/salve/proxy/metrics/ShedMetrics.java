package io.salve.proxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.salve.config.Criticality;
import io.salve.config.ListenerConfig;
import io.salve.config.RouteConfig;
import io.salve.config.SalveConfig;
import io.salve.proxy.route.Route;
import io.salve.proxy.shed.AdaptiveLimiter;
import io.salve.proxy.shed.LoadShedding;
import io.salve.proxy.shed.LoadSignals;
import io.salve.proxy.shed.LoadStateMachine;
import io.salve.proxy.shed.ShedObserver;
import io.salve.proxy.shed.ShedReason;
import io.salve.proxy.shed.Signal;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The load shedding meters. Gauges read {@link LoadShedding} when scraped; the shed counter attaches
 * as a {@link ShedObserver}, so the admission code never names a meter.
 *
 * <ul>
 *   <li>{@code salve_load_state}: the effective state, 0 healthy, 1 degraded, 2 failing
 *   <li>{@code salve_load_signal{signal}}: each signal as last evaluated, in the units of {@code
 *       /admin/state} (requests, milliseconds, ratio); NaN while unknown
 *   <li>{@code salve_shed_total{listener,route,criticality,reason}}: refused requests
 *   <li>{@code salve_concurrency_limit{listener}}: the adaptive limit, only when it is enabled
 * </ul>
 */
public final class ShedMetrics implements ShedObserver {
  private final MeterRegistry registry;
  // Per route object (routes are compiled once per listener and configuration), a counter per
  // ShedReason ordinal. A cache of the registry's counters: each reload compiles new route objects,
  // so it is emptied past a bound instead of growing with every reload.
  private static final int MAX_CACHED_ROUTES = 4096;
  private final Map<Route, Counter[]> counters = new ConcurrentHashMap<>();

  private ShedMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * Registers the gauges, pre-registers a zero shed counter for every configured route and reason
   * (so rates start from zero), and attaches the counter to {@code shedding}.
   *
   * @return the observer now attached
   */
  public static ShedMetrics bind(MeterRegistry registry, LoadShedding shedding, SalveConfig config) {
    ShedMetrics metrics = new ShedMetrics(registry);
    LoadStateMachine machine = shedding.stateMachine();
    Gauge.builder("salve.load.state", machine, m -> m.state().level())
        .description("Load state: 0 healthy, 1 degraded, 2 failing")
        .strongReference(true)
        .register(registry);
    for (Signal signal : Signal.values()) {
      Gauge.builder("salve.load.signal", machine, m -> value(signal, m.lastSignals()))
          .description("Load signals as last evaluated (requests, ms or ratio); NaN when unknown")
          .tag("signal", signal.key())
          .strongReference(true)
          .register(registry);
    }
    if (shedding.adaptiveConcurrency()) {
      shedding
          .limiters()
          .forEach(
              (listener, limiter) ->
                  Gauge.builder("salve.concurrency.limit", limiter, AdaptiveLimiter::limit)
                      .description("Adaptive concurrency limit of the listener")
                      .tag("listener", listener)
                      .strongReference(true)
                      .register(registry));
    }
    for (ListenerConfig l : config.listeners()) {
      for (RouteConfig r : l.routes()) {
        for (ShedReason reason : ShedReason.values()) {
          metrics.counter(l.name(), r.name(), r.criticality(), reason);
        }
      }
    }
    shedding.addObserver(metrics);
    return metrics;
  }

  /** @return the signal's value in display units, NaN when unknown */
  static double value(Signal signal, LoadSignals signals) {
    return signal.displayValue(signals);
  }

  @Override
  public void onShed(String listener, Route route, ShedReason reason) {
    Counter[] byReason = counters.get(route);
    if (byReason == null) {
      if (counters.size() >= MAX_CACHED_ROUTES) {
        counters.clear();
      }
      byReason = counters.computeIfAbsent(route, r -> countersOf(listener, r));
    }
    byReason[reason.ordinal()].increment();
  }

  private Counter[] countersOf(String listener, Route route) {
    ShedReason[] reasons = ShedReason.values();
    Counter[] out = new Counter[reasons.length];
    for (ShedReason reason : reasons) {
      out[reason.ordinal()] = counter(listener, route.name(), route.criticality(), reason);
    }
    return out;
  }

  private Counter counter(String listener, String route, Criticality criticality, ShedReason reason) {
    return Counter.builder("salve.shed")
        .description("Requests refused by load shedding")
        .tags(
            "listener", listener,
            "route", route == null ? "" : route,
            "criticality", criticality.key(),
            "reason", reason.key())
        .register(registry);
  }
}
