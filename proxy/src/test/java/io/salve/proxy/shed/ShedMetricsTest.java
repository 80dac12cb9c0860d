package io.salve.proxy.shed;

import static io.salve.proxy.shed.ShedFixtures.LISTENER;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.salve.config.ConfigLoader;
import io.salve.config.SalveConfig;
import io.salve.proxy.metrics.ShedMetrics;
import io.salve.proxy.route.Route;
import io.salve.proxy.util.FakeTicker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ShedMetricsTest {
  private static final String YAML =
      """
      admin: { address: 127.0.0.1:0 }
      loadShedding:
        degradedWhen: { inflight: 5 }
        adaptiveConcurrency: { enabled: %s, minLimit: 9, maxLimit: 9 }
      listeners:
        - name: egress
          address: 127.0.0.1:0
          routes:
            - name: checkout
              match: { pathPrefix: /critical }
              upstream: backend
              criticality: critical
            - name: report
              match: { pathPrefix: /report }
              upstream: backend
              criticality: sheddable
      upstreams:
        backend:
          endpoints: [127.0.0.1:9]
      """;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicReference<LoadSignals> fed = new AtomicReference<>(LoadSignals.unknown());
  private LoadShedding shedding;

  private void bind(boolean adaptive) throws Exception {
    SalveConfig config = new ConfigLoader(Map.of()).parse(YAML.formatted(adaptive), "test.yaml");
    FakeTicker ticker = new FakeTicker();
    AdaptiveLimiter limiter = AdaptiveLimiter.of(config.loadShedding().adaptiveConcurrency(), ticker);
    shedding =
        new LoadShedding(
            config.loadShedding(), new RequestSignals(), fed::get, Map.of(LISTENER, limiter), null, ticker);
    ShedMetrics.bind(registry, shedding, config);
  }

  private double shedCount(String route, String criticality, String reason) {
    Counter c =
        registry
            .find("salve.shed")
            .tags("listener", LISTENER, "route", route, "criticality", criticality, "reason", reason)
            .counter();
    assertThat(c).as("salve.shed %s %s", route, reason).isNotNull();
    return c.count();
  }

  private double gauge(String name, String... tags) {
    return registry.get(name).tags(tags).gauge().value();
  }

  @Test
  void countsShedRequestsByRouteCriticalityAndReason() throws Exception {
    bind(false);
    assertThat(shedCount("report", "sheddable", "load_state")).isZero(); // pre-registered
    assertThat(shedCount("checkout", "critical", "concurrency_limit")).isZero();
    Route report = ShedFixtures.route("report", "/report", io.salve.config.Criticality.SHEDDABLE);

    fed.set(ShedFixtures.BUSY);
    shedding.evaluate();
    shedding.tryAdmit(LISTENER, report);
    shedding.tryAdmit(LISTENER, report);

    assertThat(shedCount("report", "sheddable", "load_state")).isEqualTo(2);
    assertThat(shedCount("report", "sheddable", "concurrency_limit")).isZero();
  }

  @Test
  void gaugesFollowTheStateAndTheSignals() throws Exception {
    bind(false);
    assertThat(gauge("salve.load.state")).isZero();
    assertThat(gauge("salve.load.signal", "signal", "inflight")).isNaN();

    fed.set(new LoadSignals(6, 250 * ShedFixtures.MS, 0.5, 0.25, 3 * ShedFixtures.MS, 0.125));
    shedding.evaluate();

    assertThat(gauge("salve.load.state")).isEqualTo(1);
    assertThat(gauge("salve.load.signal", "signal", "inflight")).isEqualTo(6);
    assertThat(gauge("salve.load.signal", "signal", "latencyP99")).isEqualTo(250);
    assertThat(gauge("salve.load.signal", "signal", "cpu")).isEqualTo(0.5);
    assertThat(gauge("salve.load.signal", "signal", "heap")).isEqualTo(0.25);
    assertThat(gauge("salve.load.signal", "signal", "eventLoopDelay")).isEqualTo(3);
    assertThat(gauge("salve.load.signal", "signal", "errorRate")).isEqualTo(0.125);

    shedding.stateMachine().force(LoadState.FAILING, Duration.ofMinutes(1));
    assertThat(gauge("salve.load.state")).isEqualTo(2);
  }

  @Test
  void theConcurrencyLimitGaugeExistsOnlyWhenAdaptive() throws Exception {
    bind(true);
    assertThat(gauge("salve.concurrency.limit", "listener", LISTENER)).isEqualTo(9);

    SimpleMeterRegistry other = new SimpleMeterRegistry();
    SalveConfig config = new ConfigLoader(Map.of()).parse(YAML.formatted(false), "test.yaml");
    LoadShedding disabled =
        new LoadShedding(
            config.loadShedding(),
            new RequestSignals(),
            fed::get,
            Map.of(LISTENER, UnlimitedLimiter.INSTANCE),
            null,
            new FakeTicker());
    ShedMetrics.bind(other, disabled, config);
    assertThat(other.find("salve.concurrency.limit").gauges()).isEmpty();
    assertThat(other.find("salve.load.signal").gauges()).hasSize(Signal.values().length);
    assertThat(List.of(other.find("salve.load.state").gauge())).doesNotContainNull();
  }
}
