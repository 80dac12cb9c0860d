package io.salve.proxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.salve.proxy.reload.ReloadCoordinator;
import java.util.EnumMap;
import java.util.Map;

/** {@code salve_config_reloads_total{result}}: configuration reloads by outcome, all shown from 0. */
public final class ReloadMetrics implements ReloadCoordinator.Listener {
  private final Map<ReloadCoordinator.Result, Counter> counters = new EnumMap<>(ReloadCoordinator.Result.class);

  public ReloadMetrics(MeterRegistry registry) {
    for (ReloadCoordinator.Result r : ReloadCoordinator.Result.values()) {
      counters.put(
          r,
          Counter.builder("salve.config.reloads")
              .description("Configuration reloads by result: applied, unchanged or rejected (the old one kept)")
              .tag("result", r.key())
              .register(registry));
    }
  }

  @Override
  public void onReload(ReloadCoordinator.Result result) {
    counters.get(result).increment();
  }
}
