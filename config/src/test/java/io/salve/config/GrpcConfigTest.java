package io.salve.config;

import static io.salve.config.ConfigTesting.errors;
import static io.salve.config.ConfigTesting.load;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** gRPC status names in {@code retryOn}/{@code failOn}, and the {@code healthCheck.grpc} probe. */
class GrpcConfigTest {
  private static final String APP = """
      listeners:
        - name: in
          address: 127.0.0.1:15000
          routes:
            - upstream: app
      upstreams:
        app:
          endpoints: [127.0.0.1:8080]
      """;

  @Test
  void retryOn_acceptsTheGrpcStatusNames() {
    SalveConfig config = load(APP + """
            retry:
              retryOn: [cancelled, deadline-exceeded, internal, resource-exhausted, unavailable, connect-failure]
              retryNonIdempotent: true
        """);
    FailureConditions retryOn = config.upstreams().get("app").retry().retryOn();
    assertThat(retryOn.grpcStatuses()).containsExactlyInAnyOrder(1, 4, 13, 8, 14);
    assertThat(retryOn.connectFailure()).isTrue();
    assertThat(retryOn.matchesGrpcStatus(14)).isTrue();
    assertThat(retryOn.matchesGrpcStatus(5)).isFalse();
    assertThat(retryOn.matchesGrpcStatus(0)).isFalse();
  }

  @Test
  void failOn_defaultsCountTheServerSideGrpcFailures() {
    SalveConfig config = load(APP + """
            circuitBreaker: {}
        """);
    FailureConditions failOn = config.upstreams().get("app").circuitBreaker().failOn();
    assertThat(failOn.grpcStatuses()).isEqualTo(Set.of(2, 4, 8, 13, 14, 15));
    assertThat(failOn.matchesGrpcStatus(5)).as("NOT_FOUND is the application's answer").isFalse();
    assertThat(failOn.matchesGrpcStatus(3)).as("INVALID_ARGUMENT is the application's answer").isFalse();
  }

  @Test
  void failOn_writtenReplacesTheDefaults() {
    SalveConfig config = load(APP + """
            circuitBreaker: { failOn: [5xx, unavailable] }
        """);
    assertThat(config.upstreams().get("app").circuitBreaker().failOn().grpcStatuses()).containsExactly(14);
  }

  @Test
  void misspeltGrpcName_getsASuggestion() {
    assertThat(errors(APP + """
            retry: { retryOn: [unavailble, deadline_exceeded] }
        """)).containsExactly(
            "9:24: upstreams.app.retry.retryOn[0]: unavailble (did you mean 'unavailable'?)",
            "9:36: upstreams.app.retry.retryOn[1]: deadline_exceeded (did you mean 'deadline-exceeded'?)");
  }

  @Test
  void healthCheckGrpc_makesAGrpcProbe() {
    SalveConfig config = load(APP + """
            healthCheck:
              grpc: { service: "payments.v1.Payments" }
              interval: 2s
        """);
    HealthCheckConfig hc = config.upstreams().get("app").healthCheck();
    assertThat(hc.type()).isEqualTo(HealthCheckConfig.ProbeType.GRPC);
    assertThat(hc.grpcService()).isEqualTo("payments.v1.Payments");
  }

  @Test
  void healthCheckGrpc_emptyServiceMeansTheWholeServer() {
    SalveConfig config = load(APP + """
            healthCheck: { grpc: { service: "" } }
        """);
    assertThat(config.upstreams().get("app").healthCheck().grpcService()).isEmpty();
    SalveConfig byType = load(APP + """
            healthCheck: { type: grpc }
        """);
    assertThat(byType.upstreams().get("app").healthCheck().type()).isEqualTo(HealthCheckConfig.ProbeType.GRPC);
    assertThat(byType.upstreams().get("app").healthCheck().grpcService()).isEmpty();
  }

  @Test
  void healthCheckGrpc_conflictsAndTyposAreRefused() {
    assertThat(errors(APP + """
            healthCheck: { type: tcp, grpc: { servce: x } }
        """)).containsExactly(
            "9:37: upstreams.app.healthCheck.grpc: a grpc probe cannot be of type tcp (expected: no type, or type: grpc)",
            "9:39: unknown key 'servce' in upstreams.app.healthCheck.grpc (did you mean 'service'?)");
  }
}
