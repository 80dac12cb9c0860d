package io.salve.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Every termination test again on the JDK's TLS engine ({@code -Dsalve.tls.provider=jdk}). */
class TlsTerminationJdkEngineIT extends TlsTerminationIT {
  @Override
  List<String> engine() {
    return List.of("-Dsalve.tls.provider=jdk");
  }

  @Test
  void theReadyLineNamesTheEngine() throws Exception {
    assertThat(salve.stderr()).contains("TLS engine jdk)");
  }
}
