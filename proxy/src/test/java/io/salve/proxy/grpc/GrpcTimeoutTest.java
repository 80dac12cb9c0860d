package io.salve.proxy.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GrpcTimeoutTest {
  @Test
  void parses_everyUnit() {
    assertThat(GrpcTimeout.parseNanos("1H")).isEqualTo(3_600_000_000_000L);
    assertThat(GrpcTimeout.parseNanos("2M")).isEqualTo(120_000_000_000L);
    assertThat(GrpcTimeout.parseNanos("3S")).isEqualTo(3_000_000_000L);
    assertThat(GrpcTimeout.parseNanos("4m")).isEqualTo(4_000_000L);
    assertThat(GrpcTimeout.parseNanos("5u")).isEqualTo(5_000L);
    assertThat(GrpcTimeout.parseNanos("6n")).isEqualTo(6L);
    assertThat(GrpcTimeout.parseNanos("0m")).isZero();
    assertThat(GrpcTimeout.parseNanos("99999999M")).isEqualTo(99_999_999L * 60_000_000_000L);
    assertThat(GrpcTimeout.parseNanos("99999999H")).as("saturates").isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void refuses_whatTheSpecDoesNotAllow() {
    assertThat(GrpcTimeout.parseNanos("")).isEqualTo(-1);
    assertThat(GrpcTimeout.parseNanos("S")).isEqualTo(-1);
    assertThat(GrpcTimeout.parseNanos("10")).isEqualTo(-1);
    assertThat(GrpcTimeout.parseNanos("123456789S")).as("more than 8 digits").isEqualTo(-1);
    assertThat(GrpcTimeout.parseNanos("1s")).as("units are case-sensitive").isEqualTo(-1);
    assertThat(GrpcTimeout.parseNanos("-1S")).isEqualTo(-1);
    assertThat(GrpcTimeout.parseNanos("1.5S")).isEqualTo(-1);
    assertThat(GrpcTimeout.parseNanos(" 1S")).isEqualTo(-1);
  }

  @Test
  void formats_inTheFinestUnitThatFits_roundingUp() {
    assertThat(GrpcTimeout.format(0)).isEqualTo("0n");
    assertThat(GrpcTimeout.format(-5)).isEqualTo("0n");
    assertThat(GrpcTimeout.format(99_999_999L)).isEqualTo("99999999n");
    assertThat(GrpcTimeout.format(100_000_000L)).isEqualTo("100000u");
    assertThat(GrpcTimeout.format(100_000_001L)).isEqualTo("100001u");
    assertThat(GrpcTimeout.format(1_000_000_000_000L)).isEqualTo("1000000m");
    assertThat(GrpcTimeout.format(Long.MAX_VALUE)).isEqualTo("2562048H");
    for (long n : new long[] {1, 999, 123_456_789L, 86_400_000_000_000L}) {
      assertThat(GrpcTimeout.parseNanos(GrpcTimeout.format(n))).isGreaterThanOrEqualTo(n);
    }
  }
}
