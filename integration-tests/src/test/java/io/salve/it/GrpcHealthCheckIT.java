package io.salve.it;

import static io.salve.it.support.Http.endpointState;
import static io.salve.it.support.Http.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.salve.it.support.SalveProcess;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code healthCheck.grpc} against grpc-java's own health service ({@link HealthStatusManager}) on a
 * real h2c server: salve follows the service's SERVING / NOT_SERVING flips, through /admin/state and
 * the health metrics.
 */
class GrpcHealthCheckIT {
  private static final Duration POLL = Duration.ofMillis(50);
  private static final String SERVICE = "payments.v1.Payments";

  private final HealthStatusManager health = new HealthStatusManager();
  private Server server;
  private String endpoint;

  @BeforeEach
  void startServer() throws Exception {
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(health.getHealthService())
        .build()
        .start();
    endpoint = "127.0.0.1:" + server.getPort();
    health.setStatus(SERVICE, ServingStatus.SERVING);
  }

  @AfterEach
  void stopServer() throws Exception {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private String yaml(String service) {
    return """
        admin: { address: 127.0.0.1:0 }
        listeners:
          - name: egress
            address: 127.0.0.1:0
            routes:
              - match: { pathPrefix: / }
                upstream: payments
        upstreams:
          payments:
            endpoints: [%s]
            healthCheck:
              grpc: { service: "%s" }
              interval: 200ms
              timeout: 1s
              unhealthyThreshold: 2
              healthyThreshold: 2
              panicThreshold: 0.0
        """.formatted(endpoint, service);
  }

  private boolean healthy(SalveProcess salve) {
    JsonNode e = endpointState(salve.adminPort(), "payments", endpoint);
    return e != null && e.path("healthy").asBoolean();
  }

  private double passedProbes(SalveProcess salve) {
    Double passed = metric(salve.adminPort(), "salve_health_checks_total", "endpoint=" + endpoint, "result=pass");
    return passed == null ? 0 : passed;
  }

  private int consecutiveFailures(SalveProcess salve) {
    JsonNode e = endpointState(salve.adminPort(), "payments", endpoint);
    return e == null ? 0 : e.path("consecutiveFailures").asInt();
  }

  @Test
  void theEndpointFollowsTheServingStatusOfItsService() throws Exception {
    try (SalveProcess salve = SalveProcess.start(yaml(SERVICE))) {
      await().atMost(Duration.ofSeconds(5)).pollInterval(POLL)
          .until(() -> passedProbes(salve) >= 2.0);
      assertThat(healthy(salve)).isTrue();
      assertThat(consecutiveFailures(salve)).isZero();

      health.setStatus(SERVICE, ServingStatus.NOT_SERVING);
      await().atMost(Duration.ofSeconds(5)).pollInterval(POLL).until(() -> !healthy(salve));
      assertThat(metric(salve.adminPort(), "salve_endpoint_healthy", "endpoint=" + endpoint)).isEqualTo(0.0);

      health.setStatus(SERVICE, ServingStatus.SERVING);
      await().atMost(Duration.ofSeconds(5)).pollInterval(POLL).until(() -> healthy(salve));
      assertThat(metric(salve.adminPort(), "salve_endpoint_healthy", "endpoint=" + endpoint)).isEqualTo(1.0);

      String log = salve.stderr();
      assertThat(log).contains("endpoint payments/" + endpoint + " is unhealthy after 2 failed probe(s) (last: NOT_SERVING");
      assertThat(log).contains("endpoint payments/" + endpoint + " is healthy again after 2 passed probe(s)");
      salve.assertNoLeaks();
    }
  }

  @Test
  void aServiceTheServerDoesNotKnow_isUnhealthy() throws Exception {
    try (SalveProcess salve = SalveProcess.start(yaml("nobody.v1.Unknown"))) {
      await().atMost(Duration.ofSeconds(5)).pollInterval(POLL).until(() -> consecutiveFailures(salve) >= 2);
      assertThat(healthy(salve)).isFalse();
      assertThat(salve.stderr()).contains("grpc-status 5 NOT_FOUND");
      salve.assertNoLeaks();
    }
  }

  @Test
  void theWholeServer_isAskedAboutWithAnEmptyService() throws Exception {
    health.setStatus("", ServingStatus.SERVING);
    try (SalveProcess salve = SalveProcess.start(yaml(""))) {
      await().atMost(Duration.ofSeconds(5)).pollInterval(POLL)
          .until(() -> passedProbes(salve) >= 2.0);
      assertThat(healthy(salve)).isTrue();
      health.enterTerminalState(); // every service NOT_SERVING, as a server shutting down says
      await().atMost(Duration.ofSeconds(5)).pollInterval(POLL).until(() -> !healthy(salve));
      salve.assertNoLeaks();
    }
  }
}
