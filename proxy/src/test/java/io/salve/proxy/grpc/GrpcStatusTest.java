package io.salve.proxy.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GrpcStatusTest {
  @Test
  void salvesAnswers_mapAsDocumented() {
    for (String unavailable : new String[] {"upstream_connect_failure", "upstream_tls_error", "upstream_reset",
        "circuit_open", "no_healthy_endpoint", "shed", "overloaded"}) {
      assertThat(GrpcStatus.forAnswer(503, unavailable)).as(unavailable).isEqualTo(GrpcStatus.UNAVAILABLE);
    }
    assertThat(GrpcStatus.forAnswer(504, "upstream_timeout")).isEqualTo(GrpcStatus.DEADLINE_EXCEEDED);
    assertThat(GrpcStatus.forAnswer(413, "payload_too_large")).isEqualTo(GrpcStatus.RESOURCE_EXHAUSTED);
    assertThat(GrpcStatus.forAnswer(404, "no_route")).isEqualTo(GrpcStatus.UNIMPLEMENTED);
    assertThat(GrpcStatus.forAnswer(400, "bad_request")).isEqualTo(GrpcStatus.INTERNAL);
    assertThat(GrpcStatus.forAnswer(502, "upstream_protocol_error")).isEqualTo(GrpcStatus.INTERNAL);
    assertThat(GrpcStatus.forAnswer(403, "forbidden")).as("unknown reason: by HTTP status").isEqualTo(GrpcStatus.PERMISSION_DENIED);
    assertThat(GrpcStatus.forAnswer(418, "teapot")).isEqualTo(GrpcStatus.UNKNOWN);
  }

  @Test
  void parse() {
    assertThat(GrpcStatus.parse("0")).isZero();
    assertThat(GrpcStatus.parse("14")).isEqualTo(14);
    assertThat(GrpcStatus.parse(null)).isEqualTo(GrpcStatus.NONE);
    assertThat(GrpcStatus.parse("")).isEqualTo(GrpcStatus.NONE);
    assertThat(GrpcStatus.parse("x")).isEqualTo(GrpcStatus.NONE);
    assertThat(GrpcStatus.parse("1000")).isEqualTo(GrpcStatus.NONE);
  }

  @Test
  void message_isPercentEncodedUtf8() {
    assertThat(GrpcStatus.encodeMessage("upstream circuit is open")).isEqualTo("upstream circuit is open");
    assertThat(GrpcStatus.encodeMessage("100% down")).isEqualTo("100%25 down");
    assertThat(GrpcStatus.encodeMessage("line\nbreak")).isEqualTo("line%0Abreak");
    assertThat(GrpcStatus.encodeMessage("café ✓")).isEqualTo("caf%C3%A9 %E2%9C%93");
  }

  @Test
  void names() {
    assertThat(GrpcStatus.name(0)).isEqualTo("OK");
    assertThat(GrpcStatus.name(4)).isEqualTo("DEADLINE_EXCEEDED");
    assertThat(GrpcStatus.name(99)).isEqualTo("99");
  }

  @Test
  void loadSignals_countServerFailuresAs5xx() {
    assertThat(GrpcStatus.loadSignalStatus(200, 14)).isEqualTo(503);
    assertThat(GrpcStatus.loadSignalStatus(200, 8)).isEqualTo(503);
    assertThat(GrpcStatus.loadSignalStatus(200, 4)).isEqualTo(504);
    assertThat(GrpcStatus.loadSignalStatus(200, 13)).isEqualTo(500);
    assertThat(GrpcStatus.loadSignalStatus(200, 5)).as("NOT_FOUND is the application's").isEqualTo(200);
    assertThat(GrpcStatus.loadSignalStatus(200, GrpcStatus.NONE)).isEqualTo(200);
    assertThat(GrpcStatus.loadSignalStatus(502, 14)).isEqualTo(502);
  }
}
