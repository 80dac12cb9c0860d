package io.salve.proxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

class ProcessMetricsTest {
  @Test
  void cpuMetersHaveNamesPrometheusLintAccepts() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(ProcessMetrics.names());
    new ProcessMetrics().bindTo(registry);

    String scrape = registry.scrape();

    assertThat(scrape)
        .contains("# TYPE process_cpu_seconds_total counter")
        .contains("# TYPE system_cpus gauge")
        .contains("# TYPE process_cpu_usage gauge")
        .doesNotContain("process_cpu_time")
        .doesNotContain("system_cpu_count");
    assertThat(registry.get("system.cpus").gauge().value())
        .isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(registry.get("process.cpu").functionCounter().count()).isPositive();
    registry.close();
  }
}
