package io.salve.proxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.salve.proxy.tls.TlsEvents;
import io.salve.proxy.tls.TlsMaterial;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * TLS meters: {@code salve_tls_handshake_failures_total{listener,reason}} for clients,
 * {@code salve_upstream_tls_handshakes_total{upstream,result}} and
 * {@code salve_upstream_tls_handshake_duration_seconds{upstream}} for upstreams. Meters are looked up
 * once per label set and cached; the labels are bounded (configured names times a fixed set of reasons).
 */
public final class TlsMetrics implements TlsEvents {
  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Counter> failures = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> handshakes = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Timer> durations = new ConcurrentHashMap<>();

  /** The current material of each listener and upstream, read by its expiry gauge. */
  private final ConcurrentHashMap<String, AtomicReference<TlsMaterial>> materials = new ConcurrentHashMap<>();

  public TlsMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void clientHandshakeFailed(String listener, String reason) {
    failures.computeIfAbsent(listener + '\0' + reason, k ->
        Counter.builder("salve.tls.handshake.failures")
            .description("Client TLS handshakes that failed, by listener and reason")
            .tags("listener", listener, "reason", reason)
            .register(registry)).increment();
  }

  /**
   * {@code salve_tls_certificate_expiry_timestamp_seconds{kind,name}}: when the first certificate salve
   * presents expires (alert on {@code - time() < 14 * 86400}). A reload or rotation moves the gauge to
   * the new material.
   */
  @Override
  public void materialLoaded(TlsMaterial material) {
    String key = material.kind() + '\0' + material.name();
    if (Double.isNaN(material.notAfterEpochSeconds()) && !materials.containsKey(key)) {
      return; // presents no certificate (an upstream without a client certificate): no series
    }
    materials.computeIfAbsent(key, k -> {
      AtomicReference<TlsMaterial> current = new AtomicReference<>(material);
      Gauge.builder("salve.tls.certificate.expiry.timestamp", current, r -> r.get().notAfterEpochSeconds())
          .description("When the first certificate salve presents for this listener or upstream expires")
          .baseUnit("seconds")
          .tags("kind", material.kind(), "name", material.name())
          .strongReference(true)
          .register(registry);
      return current;
    }).set(material);
  }

  @Override
  public void upstreamHandshake(String upstream, String result, long durationNanos) {
    handshakes.computeIfAbsent(upstream + '\0' + result, k ->
        Counter.builder("salve.upstream.tls.handshakes")
            .description("TLS handshakes with upstreams, by result (success or the failure reason)")
            .tags("upstream", upstream, "result", result)
            .register(registry)).increment();
    durations.computeIfAbsent(upstream, k ->
        Timer.builder("salve.upstream.tls.handshake.duration")
            .description("Time from TCP connect to the end of the TLS handshake with an upstream")
            .tags("upstream", upstream)
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(10))
            .register(registry)).record(durationNanos, TimeUnit.NANOSECONDS);
  }
}
