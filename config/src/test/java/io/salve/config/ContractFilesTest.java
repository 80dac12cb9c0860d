package io.salve.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The configuration contract in {@code ../shared/contract} (beside the repository) must always load. */
class ContractFilesTest {
  private static final Map<String, String> POD_ENV = Map.of("POD_NAME", "p-0", "POD_IP", "127.0.0.1");
  private static Path contract;

  @BeforeAll
  static void findContract() {
    contract = Path.of(System.getProperty("user.dir")).resolve("../../shared/contract").normalize();
    if (!Files.isDirectory(contract)) {
      // Locally a checkout without shared/ beside it may skip; in CI the contract must be there.
      assumeTrue(System.getenv("CI") != null, "no contract directory at " + contract);
      fail("the configuration contract is missing: expected a directory at " + contract
          + " (shared/contract beside the repository clone)");
    }
  }

  private static SalveConfig load(String file, Map<String, String> env) {
    try {
      return new ConfigLoader(env).load(contract.resolve(file));
    } catch (ConfigException e) {
      throw new AssertionError(file + " must load, but:\n" + String.join("\n",
          e.errors().stream().map(ConfigError::toString).toList()));
    }
  }

  @Test
  void salveYaml_loadsWithPodEnvironment() {
    SalveConfig config = load("salve.yaml", POD_ENV);

    assertThat(config.coordination().identity()).isEqualTo("p-0");
    assertThat(config.coordination().registration().address()).isEqualTo(new HostPort("127.0.0.1", 15000));
  }

  @Test
  void salveYaml_loadsWithEmptyEnvironmentUsingDefaults() {
    SalveConfig config = load("salve.yaml", Map.of());

    assertThat(config.coordination().identity()).isEqualTo("salve-local");
    assertThat(config.coordination().registration().address()).isEqualTo(new HostPort("127.0.0.1", 15000));
  }

  @Test
  void salveYaml_bindsTheDocumentedValues() {
    SalveConfig config = load("salve.yaml", POD_ENV);

    assertThat(config.admin().readyWhenHealthy()).containsExactly("app");
    assertThat(config.listeners()).extracting(ListenerConfig::name).containsExactly("ingress", "egress");
    ListenerConfig ingress = config.listeners().get(0);
    assertThat(ingress.address()).isEqualTo(new HostPort("0.0.0.0", 15000));
    assertThat(ingress.routes()).extracting(RouteConfig::criticality)
        .containsExactly(Criticality.CRITICAL, Criticality.SHEDDABLE, Criticality.NORMAL);
    assertThat(ingress.routes().get(0).match().methods()).containsExactly("POST");

    RouteConfig orders = config.listeners().get(1).routes().get(0);
    assertThat(orders.match().host()).isEqualTo("orders");
    assertThat(orders.match().headers()).containsExactly(Map.entry("x-tenant", "gold"));
    assertThat(orders.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(orders.retry().maxAttempts()).isEqualTo(3);
    assertThat(orders.retry().retryOn().statuses()).containsExactlyInAnyOrder(502, 503, 504);
    assertThat(orders.retry().retryOn().timeout()).isTrue();
    assertThat(orders.retry().backoff().jitter()).isEqualTo(BackoffConfig.Jitter.FULL);
    assertThat(orders.retry().backoff().max()).isEqualTo(Duration.ofSeconds(10));
    assertThat(orders.retry().maxElapsed()).isEqualTo(Duration.ofSeconds(60));
    assertThat(orders.retry().perTryTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(orders.retry().maxBufferedBody()).isEqualTo(64 * 1024);

    assertThat(config.upstreams()).containsOnlyKeys("app", "orders", "catalog");
    UpstreamConfig upstream = config.upstreams().get("orders");
    assertThat(upstream.endpoints()).containsExactly(
        new EndpointConfig(new HostPort("orders-0.orders", 8080), 1),
        new EndpointConfig(new HostPort("orders-1.orders", 8080), 2));
    assertThat(upstream.loadBalancer()).isEqualTo(LoadBalancerType.LEAST_REQUEST);
    assertThat(upstream.circuitBreaker().failureRate()).isEqualTo(new FailureRateConfig(0.5, 20, Duration.ofSeconds(30)));
    assertThat(upstream.outlierDetection().maxEjectionPercent()).isEqualTo(50);
    assertThat(upstream.healthCheck().panicThreshold()).isEqualTo(0.5);
    assertThat(upstream.retryBudget()).isEqualTo(new RetryBudgetConfig(0.2, 10));

    UpstreamConfig app = config.upstreams().get("app");
    assertThat(app.recovery().after()).isEqualTo(Duration.ofSeconds(30));
    assertThat(app.recovery().webhook()).hasToString("http://127.0.0.1:8080/admin/recover");
    assertThat(app.healthCheck().type()).isEqualTo(HealthCheckConfig.ProbeType.HTTP);

    UpstreamConfig catalog = config.upstreams().get("catalog");
    assertThat(catalog.endpoints()).isEmpty();
    assertThat(catalog.discovery()).isEqualTo(new DiscoveryConfig("catalog"));
    assertThat(catalog.leases()).isEqualTo(new LeasesConfig(Duration.ofSeconds(10)));

    LoadSheddingConfig shedding = config.loadShedding();
    assertThat(shedding.degradedWhen())
        .isEqualTo(new LoadThresholds(500, Duration.ofMillis(300), 0.80, 0.85, Duration.ofMillis(50), null));
    assertThat(shedding.failingWhen())
        .isEqualTo(new LoadThresholds(null, Duration.ofSeconds(2), null, null, null, 0.25));
    assertThat(shedding.adaptiveConcurrency()).isEqualTo(new AdaptiveConcurrencyConfig(true, 20, 2000));

    CoordinationConfig coordination = config.coordination();
    assertThat(coordination.etcd().endpoints()).containsExactly("http://127.0.0.1:2379");
    assertThat(coordination.leaderElection())
        .isEqualTo(new CoordinationConfig.LeaderElectionConfig("orders-scheduler", Duration.ofSeconds(10), "app", null));
    assertThat(coordination.registration().whenHealthy()).isEqualTo("app");
  }

  @Test
  void nextCoordinationYaml_bindsTheLeaderWebhook() {
    CoordinationConfig coordination = load("next/coordination.yaml", POD_ENV).coordination();
    assertThat(coordination.leaderElection())
        .isEqualTo(new CoordinationConfig.LeaderElectionConfig("orders-scheduler", Duration.ofSeconds(10), "app",
            java.net.URI.create("http://127.0.0.1:8080/leader-changed")));
  }

  @Test
  void minimalYaml_loadsWithAndWithoutEnvironment() {
    assertThat(load("minimal.yaml", POD_ENV).upstreams()).containsOnlyKeys("backend");
    assertThat(load("minimal.yaml", Map.of()).listeners()).hasSize(1);
  }

  @Test
  void nextShipYaml_loads() {
    SalveConfig config = load("next/ship.yaml", Map.of());

    assertThat(config.admin().probes().address()).isEqualTo(new HostPort("0.0.0.0", 15021));
    assertThat(config.reload().watch()).isTrue();
  }

  @Test
  void nextProtocolsYaml_bindsHttp2GrpcAndWebSocketKeys() {
    SalveConfig config = load("next/protocols.yaml", Map.of());

    ListenerConfig edge = config.listeners().get(0);
    assertThat(edge.protocols()).isEqualTo(new ListenerProtocols(true, true, 100));
    RouteConfig payments = edge.routes().get(0);
    assertThat(payments.retry().maxAttempts()).isEqualTo(3);
    assertThat(payments.retry().retryNonIdempotent()).isTrue();
    assertThat(payments.retry().retryOn().connectFailure()).isTrue();
    assertThat(payments.retry().retryOn().grpcStatuses()).containsExactlyInAnyOrder(14, 8); // unavailable, resource-exhausted
    RouteConfig live = edge.routes().get(1);
    assertThat(live.upgrades()).containsExactly("websocket");
    assertThat(live.upgradeIdleTimeout()).isEqualTo(Duration.ofHours(1));
    UpstreamConfig grpc = config.upstreams().get("payments");
    assertThat(grpc.protocol()).isEqualTo(UpstreamProtocol.H2C);
    assertThat(grpc.healthCheck().type()).isEqualTo(HealthCheckConfig.ProbeType.GRPC);
    assertThat(grpc.healthCheck().grpcService()).isEmpty();
    assertThat(config.upstreams().get("chat").protocol()).isEqualTo(UpstreamProtocol.HTTP1);
  }
}
