package io.salve.proxy.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.salve.proxy.upstream.EndpointSource;

/**
 * The meters of an upstream's endpoint discovery:
 *
 * <ul>
 *   <li>{@code salve_discovery_endpoints{upstream}}: endpoints discovery supplies now (the last
 *       known set while stale)
 *   <li>{@code salve_discovery_stale_seconds{upstream}}: seconds since the set was last known
 *       current, 0 while it is; alert on it staying above a few seconds
 * </ul>
 */
public final class DiscoveryMetrics {
  private DiscoveryMetrics() {}

  public static void bind(MeterRegistry registry, String upstream, EndpointSource source) {
    Gauge.builder("salve.discovery.endpoints", source, EndpointSource::size)
        .description("Endpoints discovery supplies to the upstream (the last known set while stale)")
        .tags("upstream", upstream)
        .strongReference(true)
        .register(registry);
    Gauge.builder("salve.discovery.stale", source, EndpointSource::staleSeconds)
        .description("Seconds since the discovered set was last known current; 0 while it is")
        .tags("upstream", upstream)
        .baseUnit("seconds")
        .strongReference(true)
        .register(registry);
  }
}
