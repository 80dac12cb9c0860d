package io.salve.config;

import static io.salve.config.ConfigTesting.load;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Everything not written takes the default documented on the records and in docs/configuration.md. */
class DefaultsTest {
  private static final String MINIMAL = """
      listeners:
        - name: egress
          address: 127.0.0.1:15001
          routes:
            - upstream: backend
      upstreams:
        backend:
          endpoints: [127.0.0.1:8080]
      """;

  private final SalveConfig config = load(MINIMAL);

  @Test
  void topLevel_defaults() {
    assertThat(config.admin()).isEqualTo(new AdminConfig(new HostPort("127.0.0.1", 9901), List.of(), false, null));
    assertThat(config.accessLog()).isEqualTo(new AccessLogConfig(true));
    assertThat(config.drainTimeout()).isEqualTo(Duration.ofSeconds(15));
    assertThat(config.reload()).isEqualTo(new ReloadConfig(true));
    assertThat(config.coordination()).isNull();
    assertThat(config.loadShedding()).isEqualTo(new LoadSheddingConfig(Duration.ofSeconds(1), LoadThresholds.none(),
        LoadThresholds.none(), Duration.ofSeconds(10), Duration.ofSeconds(5),
        new AdaptiveConcurrencyConfig(false, 20, 2000)));
  }

  @Test
  void listener_defaults() {
    ListenerConfig listener = config.listeners().get(0);
    assertThat(listener.limits()).isEqualTo(
        new ListenerLimits(8192, 32768, 100, -1, Duration.ofSeconds(10), Duration.ofSeconds(60)));
    assertThat(listener.trustedProxies()).isEmpty();
  }

  @Test
  void route_defaults() {
    RouteConfig route = config.listeners().get(0).routes().get(0);
    assertThat(route.name()).isEqualTo("route-0");
    assertThat(route.match()).isEqualTo(new RouteMatch(null, "/", Set.of(), Map.of()));
    assertThat(route.criticality()).isEqualTo(Criticality.NORMAL);
    assertThat(route.timeout()).isNull();
    assertThat(route.retry()).isNull();
    assertThat(route.maxRequestBody()).isEqualTo(-1);
    assertThat(route.upgrades()).containsExactly("websocket");
    assertThat(route.upgradeIdleTimeout()).isEqualTo(java.time.Duration.ofHours(1));
  }

  @Test
  void upstream_defaults() {
    UpstreamConfig upstream = config.upstreams().get("backend");
    assertThat(upstream.name()).isEqualTo("backend");
    assertThat(upstream.endpoints()).containsExactly(new EndpointConfig(new HostPort("127.0.0.1", 8080), 1));
    assertThat(upstream.loadBalancer()).isEqualTo(LoadBalancerType.ROUND_ROBIN);
    assertThat(upstream.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(upstream.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(upstream.maxConnectionsPerEndpoint()).isEqualTo(64);
    assertThat(upstream.maxConcurrentRequests()).isEqualTo(1024);
    assertThat(upstream.circuitBreaker()).isNull();
    assertThat(upstream.outlierDetection()).isNull();
    assertThat(upstream.healthCheck()).isNull();
    assertThat(upstream.retryBudget()).isEqualTo(new RetryBudgetConfig(0.2, 10));
    assertThat(upstream.discovery()).isNull();
    assertThat(upstream.leases()).isNull();
    assertThat(upstream.recovery()).isNull();
    assertThat(upstream.retry()).isEqualTo(new RetryConfig(2,
        new FailureConditions(true, true, false, false, Set.of()), false,
        new BackoffConfig(Duration.ofMillis(50), Duration.ofSeconds(1), 2.0, BackoffConfig.Jitter.FULL),
        null, null, 64 * 1024));
  }

  @Test
  void emptySections_takeTheirDefaults() {
    SalveConfig withSections = load(MINIMAL + """
          circuitBreaker: {}
          outlierDetection: {}
          healthCheck: {}
          retry: {}
          leases: {}
      coordination:
        identity: me
        etcd: { endpoints: [http://etcd:2379] }
        leaderElection: { election: e }
        registration: { service: s, address: 10.0.0.1:15000 }
      """);
    UpstreamConfig upstream = withSections.upstreams().get("backend");
    assertThat(upstream.circuitBreaker()).isEqualTo(new CircuitBreakerConfig(3, 2, Duration.ofSeconds(30), 1, null,
        new FailureConditions(true, true, true, true, Set.of(), Set.of(2, 4, 8, 13, 14, 15))));
    assertThat(upstream.outlierDetection()).isEqualTo(
        new OutlierDetectionConfig(5, Duration.ofSeconds(30), Duration.ofSeconds(300), 10));
    assertThat(upstream.healthCheck()).isEqualTo(new HealthCheckConfig(HealthCheckConfig.ProbeType.HTTP, "/healthz",
        Duration.ofSeconds(5), Duration.ofSeconds(1), 3, 2, 0.5, new HealthCheckConfig.StatusRange(200, 399)));
    assertThat(upstream.retry()).isEqualTo(config.upstreams().get("backend").retry());
    assertThat(upstream.leases()).isEqualTo(new LeasesConfig(Duration.ofSeconds(10)));
    CoordinationConfig coordination = withSections.coordination();
    assertThat(coordination.etcd().namespace()).isEqualTo("/salve");
    assertThat(coordination.leaderElection())
        .isEqualTo(new CoordinationConfig.LeaderElectionConfig("e", Duration.ofSeconds(10), null, null));
    assertThat(coordination.registration()).isEqualTo(new CoordinationConfig.RegistrationConfig(
        "s", new HostPort("10.0.0.1", 15000), Duration.ofSeconds(10), null));
  }

  @Test
  void routeRetry_replacesTheUpstreamPolicyWhole_withDefaultsForUnwrittenKeys() {
    SalveConfig c = load(MINIMAL.replace("- upstream: backend", """
        - upstream: backend
                retry: { retryOn: [gateway-error], backoff: { jitter: none } }""") + """
          retry: { maxAttempts: 5, retryNonIdempotent: true }
      """);
    RetryConfig route = c.listeners().get(0).routes().get(0).retry();
    assertThat(route.maxAttempts()).isEqualTo(2);
    assertThat(route.retryNonIdempotent()).isFalse();
    assertThat(route.retryOn()).isEqualTo(new FailureConditions(false, false, false, false, Set.of(502, 503, 504)));
    assertThat(route.backoff()).isEqualTo(
        new BackoffConfig(Duration.ofMillis(50), Duration.ofSeconds(1), 2.0, BackoffConfig.Jitter.NONE));
    assertThat(c.upstreams().get("backend").retry().maxAttempts()).isEqualTo(5);
  }
}
