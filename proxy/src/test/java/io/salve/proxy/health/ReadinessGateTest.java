package io.salve.proxy.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReadinessGateTest {

  @Test
  void readyWhenNothingIsRequired() {
    assertThat(ReadinessGate.notReadyReason(Map.of())).isEmpty();
  }

  @Test
  void readyWhenEveryRequiredUpstreamHasAHealthyEndpoint() {
    assertThat(ReadinessGate.notReadyReason(Map.of("app", 1, "db", 3))).isEmpty();
  }

  @Test
  void namesTheUpstreamWithoutHealthyEndpoints() {
    assertThat(ReadinessGate.notReadyReason(Map.of("app", 0, "db", 2)))
        .hasValue("upstream 'app' has no healthy endpoint");
  }

  @Test
  void listsEveryFailingUpstreamSortedByName() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    counts.put("zeta", 0);
    counts.put("app", 4);
    counts.put("db", 0);
    counts.put("cache", 0);

    assertThat(ReadinessGate.notReadyReason(counts))
        .hasValue(
            "upstream 'cache' has no healthy endpoint; "
                + "upstream 'db' has no healthy endpoint; "
                + "upstream 'zeta' has no healthy endpoint");
  }

  @Test
  void treatsAMissingCountAsNoHealthyEndpoint() {
    Map<String, Integer> counts = new HashMap<>();
    counts.put("app", null);

    assertThat(ReadinessGate.notReadyReason(counts))
        .hasValue("upstream 'app' has no healthy endpoint");
  }
}
