package io.salve.proxy.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GrpcCallTest {
  @Test
  void detection_byContentType() {
    assertThat(GrpcCall.isGrpc("application/grpc")).isTrue();
    assertThat(GrpcCall.isGrpc("application/grpc+proto")).isTrue();
    assertThat(GrpcCall.isGrpc("application/grpc;charset=utf-8")).isTrue();
    assertThat(GrpcCall.isGrpc("Application/GRPC")).isTrue();
    assertThat(GrpcCall.isGrpc("application/grpc-web")).isFalse();
    assertThat(GrpcCall.isGrpc("application/grpcx")).isFalse();
    assertThat(GrpcCall.isGrpc("application/json")).isFalse();
    assertThat(GrpcCall.isGrpc("application/grp")).isFalse();
    assertThat(GrpcCall.isGrpc(null)).isFalse();
    assertThat(GrpcCall.of("text/plain", "1S")).isNull();
  }

  @Test
  void deadline_isTheShorterOfTheClientsAndTheRoutes() {
    long route = Duration.ofSeconds(2).toNanos();
    assertThat(GrpcCall.of("application/grpc", "500m").effectiveTimeoutNanos(route)).isEqualTo(500_000_000L);
    assertThat(GrpcCall.of("application/grpc", "3S").effectiveTimeoutNanos(route)).isEqualTo(route);
    assertThat(GrpcCall.of("application/grpc", "3S").effectiveTimeoutNanos(-1)).isEqualTo(3_000_000_000L);
    assertThat(GrpcCall.of("application/grpc", null).effectiveTimeoutNanos(route)).isEqualTo(route);
    assertThat(GrpcCall.of("application/grpc", null).effectiveTimeoutNanos(-1)).isEqualTo(-1);
  }

  @Test
  void invalidTimeout_isIgnored() {
    GrpcCall call = GrpcCall.of("application/grpc", "123456789S");
    assertThat(call).isNotNull();
    assertThat(call.hasDeadline()).isFalse();
    assertThat(GrpcCall.of("application/grpc", "99999999H").hasDeadline()).as("beyond any ticker: none").isFalse();
  }
}
