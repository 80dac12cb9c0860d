package io.salve.proxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.salve.proxy.forward.ExchangeObserver;
import io.salve.proxy.forward.ExchangeRecord;
import io.salve.proxy.upstream.Endpoint;
import io.salve.proxy.upstream.Upstream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The forwarding path's meters. Attaches as an {@link ExchangeObserver}, so the forwarding code never
 * names a meter. Meters are cached per label set: the hot path does map reads, no registry lookups.
 */
public final class ProxyMetrics implements ExchangeObserver {
  private final MeterRegistry registry;
  private final Map<String, AtomicInteger> inflight = new ConcurrentHashMap<>();
  // Nested by label so the per-request lookups hash existing strings and allocate no key.
  private final Map<String, Map<String, RouteMeters>> routes = new ConcurrentHashMap<>();
  private final Map<String, Map<String, Map<String, Counter>>> attempts = new ConcurrentHashMap<>();

  public ProxyMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Registers the gauges that read upstream state directly. */
  public void bindUpstream(Upstream upstream) {
    for (Endpoint e : upstream.endpoints()) {
      bindEndpoint(e);
    }
  }

  /** Registers an endpoint's connection gauges (also for endpoints that join later). */
  public void bindEndpoint(Endpoint e) {
    Gauge.builder("salve.upstream.connections", e, x -> x.openConnections().get() - x.idleConnections().get())
        .description("Open upstream connections by state")
        .tags("upstream", e.upstream(), "endpoint", e.key(), "state", "active")
        .register(registry);
    Gauge.builder("salve.upstream.connections", e, x -> x.idleConnections().get())
        .description("Open upstream connections by state")
        .tags("upstream", e.upstream(), "endpoint", e.key(), "state", "idle")
        .register(registry);
    // Streams over connections shows multiplexing at work on an h2c upstream (always 0 on HTTP/1.1).
    Gauge.builder("salve.upstream.streams", e, x -> x.openStreams().get())
        .description("Open HTTP/2 streams to an upstream endpoint")
        .tags("upstream", e.upstream(), "endpoint", e.key())
        .register(registry);
  }

  /** Registers a listener's in-flight gauge. */
  public void bindListener(String listener) {
    AtomicInteger counter = inflight.computeIfAbsent(listener, k -> new AtomicInteger());
    Gauge.builder("salve.inflight.requests", counter, AtomicInteger::get)
        .description("Requests received and not yet answered")
        .tags("listener", listener)
        .register(registry);
  }

  @Override
  public void onRequestStarted(String listener) {
    AtomicInteger c = inflight.get(listener);
    if (c != null) {
      c.incrementAndGet();
    }
  }

  @Override
  public void onRequestEnded(ExchangeRecord r) {
    AtomicInteger c = inflight.get(r.listener());
    if (c != null) {
      c.decrementAndGet();
    }
    String route = r.route() == null ? "" : r.route();
    String upstream = r.upstream() == null ? "" : r.upstream();
    RouteMeters m = child(routes, r.listener()).get(route);
    if (m == null) {
      m = child(routes, r.listener()).computeIfAbsent(route, k -> new RouteMeters(r.listener(), route, upstream));
    }
    m.timer.record(r.durationNanos(), TimeUnit.NANOSECONDS);
    m.count(r.status(), r.protocol());
  }

  @Override
  public void onAttemptEnded(String upstream, String endpoint, String outcome) {
    Map<String, Counter> byOutcome = child(child(attempts, upstream), endpoint);
    Counter c = byOutcome.get(outcome);
    if (c == null) {
      c =
          byOutcome.computeIfAbsent(
              outcome,
              k ->
                  Counter.builder("salve.upstream.requests")
                      .description("Upstream attempts by outcome (every retry counts)")
                      .tags("upstream", upstream, "endpoint", endpoint, "outcome", outcome)
                      .register(registry));
    }
    c.increment();
  }

  @Override
  public void onRejected(String upstream, String reason) {
    Counter.builder("salve.rejected")
        .description("Requests refused before reaching the upstream (bulkhead, open circuit)")
        .tags("upstream", upstream, "reason", reason)
        .register(registry)
        .increment();
  }

  @Override
  public void onRetry(String upstream, String reason) {
    Counter.builder("salve.retries")
        .description("Retries scheduled, by the outcome retried")
        .tags("upstream", upstream, "reason", reason)
        .register(registry)
        .increment();
  }

  @Override
  public void onRetryBudgetExhausted(String upstream) {
    Counter.builder("salve.retry.budget.exhausted")
        .description("Retries refused because the upstream's retry budget was spent")
        .tags("upstream", upstream)
        .register(registry)
        .increment();
  }

  private static <V> Map<String, V> child(Map<String, Map<String, V>> parent, String key) {
    Map<String, V> m = parent.get(key);
    return m != null ? m : parent.computeIfAbsent(key, k -> new ConcurrentHashMap<>());
  }

  /** The client protocols counted apart in {@code salve_requests_total}'s {@code protocol} label. */
  private static final java.util.List<String> PROTOCOLS = java.util.List.of("HTTP/1.1", "HTTP/2.0", "HTTP/1.0");

  private final class RouteMeters {
    final String listener;
    final String route;
    final String upstream;
    final Timer timer;
    /** Counters by protocol (a block of 600 per {@link #PROTOCOLS} entry, the last for any other) and status. */
    final AtomicReferenceArray<Counter> byStatus = new AtomicReferenceArray<>(600 * (PROTOCOLS.size() + 1));

    RouteMeters(String listener, String route, String upstream) {
      this.listener = listener;
      this.route = route;
      this.upstream = upstream;
      this.timer =
          Timer.builder("salve.request.duration")
              .description("Time from request head received to response end")
              .tags("listener", listener, "route", route)
              .publishPercentileHistogram()
              .register(registry);
    }

    void count(int status, String protocol) {
      int p = PROTOCOLS.indexOf(protocol);
      int i = (p < 0 ? PROTOCOLS.size() : p) * 600 + (status >= 0 && status < 600 ? status : 0);
      Counter c = byStatus.get(i);
      if (c == null) {
        c =
            Counter.builder("salve.requests")
                .description("Requests answered, by status code")
                .tags("listener", listener, "route", route, "upstream", upstream, "code", Integer.toString(status),
                    "protocol", protocol == null ? "" : protocol)
                .register(registry);
        byStatus.set(i, c);
      }
      c.increment();
    }
  }
}
