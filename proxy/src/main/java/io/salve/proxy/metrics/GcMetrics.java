package io.salve.proxy.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * Collection counts and times per garbage collector, read when scraped. Micrometer's {@code
 * JvmGcMetrics} listens to a JMX notification after every collection instead; with a small young
 * generation that is dozens of notifications a second under load, each built on a JVM service
 * thread that competes with the event loop for the CPU.
 */
public final class GcMetrics implements MeterBinder {
  @Override
  public void bindTo(MeterRegistry registry) {
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      FunctionCounter.builder("jvm.gc.collections", gc, GarbageCollectorMXBean::getCollectionCount)
          .tag("gc", gc.getName())
          .description("Garbage collections since the JVM started")
          .register(registry);
      FunctionCounter.builder("jvm.gc.collection.time", gc, b -> b.getCollectionTime() / 1000.0)
          .tag("gc", gc.getName())
          .baseUnit("seconds")
          .description("Time spent in garbage collections since the JVM started (mostly pauses)")
          .register(registry);
    }
  }
}
