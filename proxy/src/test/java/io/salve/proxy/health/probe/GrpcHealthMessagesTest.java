package io.salve.proxy.health.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GrpcHealthMessagesTest {
  @Test
  void request_isAFramedHealthCheckRequest() {
    assertThat(GrpcHealthMessages.request("")).isEqualTo(new byte[] {0, 0, 0, 0, 0});
    assertThat(GrpcHealthMessages.request("ab")).isEqualTo(new byte[] {0, 0, 0, 0, 4, 0x0A, 2, 'a', 'b'});
    byte[] longName = GrpcHealthMessages.request("x".repeat(200));
    assertThat(longName).startsWith(0, 0, 0, 0, (byte) 203, 0x0A, (byte) 0xC8, 0x01);
    assertThat(new String(longName, 8, 200, StandardCharsets.UTF_8)).isEqualTo("x".repeat(200));
  }

  @Test
  void response_servingStatus() {
    assertThat(status(0, 0, 0, 0, 2, 0x08, 1)).isEqualTo(1);
    assertThat(status(0, 0, 0, 0, 2, 0x08, 2)).isEqualTo(2);
    assertThat(status(0, 0, 0, 0, 0)).as("proto3 leaves UNKNOWN out").isZero();
    assertThat(status(0, 0, 0, 0, 6, 0x12, 2, 'h', 'i', 0x08, 1)).as("unknown fields skipped").isEqualTo(1);
  }

  @Test
  void response_malformed() {
    assertThatIllegalArgumentException().isThrownBy(() -> status(0, 0, 0));
    assertThatIllegalArgumentException().isThrownBy(() -> status(1, 0, 0, 0, 2, 0x08, 1)).withMessageContaining("compressed");
    assertThatIllegalArgumentException().isThrownBy(() -> status(0, 0, 0, 0, 5, 0x08, 1));
    assertThatIllegalArgumentException().isThrownBy(() -> status(0, 0, 0, 0, 2, 0x08, (byte) 0x80));
    assertThatIllegalArgumentException().isThrownBy(() -> status(0, 0, 0, 0, 2, 0x12, 9));
  }

  private static int status(int... bytes) {
    byte[] b = new byte[bytes.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) bytes[i];
    }
    return GrpcHealthMessages.servingStatus(b, b.length);
  }
}
