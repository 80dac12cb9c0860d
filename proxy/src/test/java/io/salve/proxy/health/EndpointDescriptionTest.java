package io.salve.proxy.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.salve.proxy.upstream.EndpointHealth;
import io.salve.proxy.util.FakeTicker;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EndpointDescriptionTest {

  private final FakeTicker ticker = new FakeTicker();

  @Test
  void anUnprobedEndpointIsHealthyWithNoLastProbe() {
    Map<String, Object> m = EndpointDescription.describe(null, true, ticker.nanos());

    assertThat(m.keySet()).containsExactly("healthy", "lastProbe", "consecutiveFailures");
    assertThat(m).containsEntry("healthy", true).containsEntry("lastProbe", null).containsEntry("consecutiveFailures", 0);
  }

  @Test
  void beforeTheFirstResultLastProbeIsNull() {
    EndpointHealth h = new EndpointHealth(2, 2);

    Map<String, Object> m = EndpointDescription.describe(h, h.healthy(), ticker.nanos());

    assertThat(m).containsEntry("healthy", true).containsEntry("lastProbe", null);
  }

  @Test
  void showsMillisecondsSinceTheLastProbeAndTheFailureStreak() {
    EndpointHealth h = new EndpointHealth(2, 2);
    h.recordProbe(false, ticker.nanos());
    ticker.advance(Duration.ofMillis(100));
    h.recordProbe(false, ticker.nanos());
    ticker.advance(Duration.ofMillis(250));

    Map<String, Object> m = EndpointDescription.describe(h, h.healthy(), ticker.nanos());

    assertThat(m).containsExactly(
        Map.entry("healthy", false), Map.entry("lastProbe", 250L), Map.entry("consecutiveFailures", 2));
  }
}
