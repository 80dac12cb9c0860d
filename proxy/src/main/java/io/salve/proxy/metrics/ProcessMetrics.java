package io.salve.proxy.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * CPU meters: Micrometer's {@link ProcessorMetrics} with the two names that {@code promtool check
 * metrics} refuses replaced. {@code process_cpu_time_ns_total} (an abbreviated, non-base unit) becomes
 * the Prometheus client libraries' standard {@code process_cpu_seconds_total}, and the gauge {@code
 * system_cpu_count} (the {@code _count} suffix is reserved for histograms and summaries) becomes
 * {@code system_cpus}.
 */
public final class ProcessMetrics implements MeterBinder {
  private static final String MICROMETER_CPU_TIME = "process.cpu.time";
  private static final String MICROMETER_CPU_COUNT = "system.cpu.count";

  /**
   * @return the filter that drops and renames Micrometer's meters; configure it on the registry before
   *     any meter is bound
   */
  public static MeterFilter names() {
    return new MeterFilter() {
      @Override
      public MeterFilterReply accept(Meter.Id id) {
        return id.getName().equals(MICROMETER_CPU_TIME) ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
      }

      @Override
      public Meter.Id map(Meter.Id id) {
        return id.getName().equals(MICROMETER_CPU_COUNT) ? id.withName("system.cpus") : id;
      }
    };
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    new ProcessorMetrics().bindTo(registry);
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun && sun.getProcessCpuTime() >= 0) {
      FunctionCounter.builder("process.cpu", sun, b -> b.getProcessCpuTime() / 1e9)
          .baseUnit("seconds")
          .description("CPU time used by the process")
          .register(registry);
    }
  }
}
