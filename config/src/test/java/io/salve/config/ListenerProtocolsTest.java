package io.salve.config;

import static io.salve.config.ConfigTesting.errors;
import static io.salve.config.ConfigTesting.load;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code listeners[].protocols} and {@code listeners[].maxConcurrentStreams}. */
class ListenerProtocolsTest {
  private static String listener(String keys) {
    return """
        listeners:
          - name: in
            address: 127.0.0.1:15000
        %s
            routes:
              - upstream: app
        upstreams:
          app: { endpoints: [127.0.0.1:8080] }
        """.formatted(keys);
  }

  @Test
  void defaults_bothProtocols_100Streams() {
    ListenerProtocols p = load(listener("    idleTimeout: 60s")).listeners().get(0).protocols();
    assertThat(p).isEqualTo(ListenerProtocols.DEFAULT);
    assertThat(p.http1()).isTrue();
    assertThat(p.http2()).isTrue();
    assertThat(p.maxConcurrentStreams()).isEqualTo(100);
  }

  @Test
  void restrictsToOne_andSetsTheStreamLimit() {
    assertThat(load(listener("    protocols: [h2c]\n    maxConcurrentStreams: 7")).listeners().get(0).protocols())
        .isEqualTo(new ListenerProtocols(false, true, 7));
    assertThat(load(listener("    protocols: [http1]")).listeners().get(0).protocols())
        .isEqualTo(new ListenerProtocols(true, false, 100));
  }

  @Test
  void unknownEmptyAndOutOfRange_areReportedWhereTheyStand() {
    assertThat(errors(listener("    protocols: [http1, h3]\n    maxConcurrentStreams: 0")))
        .containsExactly(
            "4:24: listeners[0].protocols[1]: h3 (expected: http1 or h2c)",
            "5:27: listeners[0].maxConcurrentStreams: 0 (expected: an integer >= 1)");
    assertThat(errors(listener("    protocols: []")))
        .containsExactly("4:16: listeners[0].protocols: [] (expected: a non-empty list like [http1, h2c])");
  }
}
