package io.salve.proxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.salve.proxy.resilience.CircuitBreaker;
import io.salve.proxy.resilience.CircuitBreakerListener;
import io.salve.proxy.resilience.CircuitState;
import io.salve.proxy.upstream.Endpoint;
import io.salve.proxy.upstream.Upstream;

/** Meters for circuit breakers and outlier ejection, attached to each upstream as listeners. */
public final class ResilienceMetrics implements CircuitBreakerListener {
  private final MeterRegistry registry;

  public ResilienceMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Registers the upstream's breaker and ejection meters and listens for transitions. */
  public void bind(Upstream upstream) {
    CircuitBreaker breaker = upstream.breaker();
    if (breaker != null) {
      for (CircuitState s : CircuitState.values()) {
        Gauge.builder("salve.circuit.breaker.state", breaker, b -> b.state() == s ? 1 : 0)
            .description("1 for the circuit breaker's current state, 0 for the others")
            .tags("upstream", upstream.name(), "state", s.key())
            .register(registry);
      }
      breaker.addListener(this);
    }
    if (upstream.outliers() != null) {
      for (Endpoint e : upstream.endpoints()) {
        bindEndpoint(upstream, e);
      }
    }
  }

  /** Registers the ejection gauge of an endpoint (also for endpoints that join later). */
  public void bindEndpoint(Upstream upstream, Endpoint e) {
    if (upstream.outliers() == null) {
      return;
    }
    Gauge.builder("salve.endpoint.ejected", upstream, u -> u.outliers().isEjected(e.key()) ? 1 : 0)
        .description("1 while outlier detection keeps the endpoint out of load balancing")
        .tags("upstream", upstream.name(), "endpoint", e.key())
        .register(registry);
  }

  @Override
  public void onStateTransition(String upstream, CircuitState from, CircuitState to) {
    Counter.builder("salve.circuit.breaker.transitions")
        .description("Circuit breaker state transitions")
        .tags("upstream", upstream, "from", from.key(), "to", to.key())
        .register(registry)
        .increment();
  }
}
