package io.salve.proxy.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecoveryActionsTest {

  @Test
  void payloadNamesTheUpstreamSinceWhenAndEachEndpointsFailureStreak() throws Exception {
    Map<String, Integer> failures = new LinkedHashMap<>();
    failures.put("127.0.0.1:8081", 7);
    failures.put("127.0.0.1:8082", 3);

    String json =
        new ObjectMapper()
            .writeValueAsString(
                RecoveryActions.payload("app", Instant.parse("2024-05-01T10:00:00.123456Z"), failures));

    assertThat(json)
        .isEqualTo(
            "{\"upstream\":\"app\",\"unhealthySince\":\"2024-05-01T10:00:00.123Z\",\"endpoints\":["
                + "{\"endpoint\":\"127.0.0.1:8081\",\"consecutiveFailures\":7},"
                + "{\"endpoint\":\"127.0.0.1:8082\",\"consecutiveFailures\":3}]}");
  }

  @Test
  void timeoutIsShortAndNeverLongerThanThePeriod() {
    assertThat(RecoveryActions.timeout(Duration.ofMillis(500))).isEqualTo(Duration.ofMillis(500));
    assertThat(RecoveryActions.timeout(Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void logsTheWebhookWithoutCredentialsOrQuery() {
    assertThat(RecoveryActions.redact(URI.create("http://user:secret@127.0.0.1:9000/recover?token=x")))
        .isEqualTo("http://127.0.0.1:9000/recover");
    assertThat(RecoveryActions.redact(URI.create("http://app/restart"))).isEqualTo("http://app/restart");
  }
}
