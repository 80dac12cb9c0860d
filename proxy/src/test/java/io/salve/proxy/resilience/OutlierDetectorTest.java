package io.salve.proxy.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.salve.config.OutlierDetectionConfig;
import io.salve.proxy.util.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutlierDetectorTest {
  private static final Duration BASE = Duration.ofSeconds(30);
  private static final Duration MAX = Duration.ofSeconds(100);

  private final FakeTicker ticker = new FakeTicker();
  private final List<String> events = new ArrayList<>();

  private OutlierDetector detector(int maxEjectionPercent, String... endpoints) {
    OutlierDetector detector =
        OutlierDetector.of(
            "users", new OutlierDetectionConfig(3, BASE, MAX, maxEjectionPercent), ticker);
    detector.addListener(
        new OutlierListener() {
          @Override
          public void onEjected(String upstream, String endpoint, long ejectionNanos) {
            events.add(
                "ejected " + upstream + " " + endpoint + " " + Duration.ofNanos(ejectionNanos));
          }

          @Override
          public void onReturned(String upstream, String endpoint) {
            events.add("returned " + upstream + " " + endpoint);
          }
        });
    if (endpoints.length > 0) {
      detector.setEndpoints(List.of(endpoints));
    }
    return detector;
  }

  /** @return whether the last failure ejected */
  private static boolean fail(OutlierDetector detector, String endpoint, int times) {
    boolean ejected = false;
    for (int i = 0; i < times; i++) {
      ejected = detector.onFailure(endpoint);
    }
    return ejected;
  }

  @Test
  void ejectsExactlyAtConsecutiveFailures() {
    OutlierDetector detector = detector(100, "a:1", "b:1");
    assertThat(fail(detector, "a:1", 2)).isFalse();
    assertThat(detector.isEjected("a:1")).isFalse();
    assertThat(detector.onFailure("a:1")).isTrue();
    assertThat(detector.isEjected("a:1")).isTrue();
    assertThat(detector.isEjected("b:1")).isFalse();
    assertThat(detector.ejections("a:1")).isEqualTo(1);
    assertThat(detector.ejectedCount()).isEqualTo(1);
    assertThat(events).containsExactly("ejected users a:1 PT30S");
  }

  @Test
  void successResetsConsecutiveFailures() {
    OutlierDetector detector = detector(100, "a:1");
    fail(detector, "a:1", 2);
    detector.onSuccess("a:1");
    assertThat(fail(detector, "a:1", 2)).isFalse();
    assertThat(detector.describe("a:1")).containsEntry("consecutiveFailures", 2);
    assertThat(detector.onFailure("a:1")).isTrue();
  }

  @Test
  void ejection_expiresWithTheTicker() {
    OutlierDetector detector = detector(100, "a:1");
    fail(detector, "a:1", 3);
    ticker.advance(BASE.minusNanos(1));
    assertThat(detector.isEjected("a:1")).isTrue();
    ticker.advance(Duration.ofNanos(1));
    assertThat(detector.isEjected("a:1")).isFalse();
    assertThat(detector.isEjected("a:1")).isFalse();
    assertThat(detector.ejectedCount()).isZero();
    assertThat(events).containsExactly("ejected users a:1 PT30S", "returned users a:1");
  }

  @Test
  void ejectionTime_growsBaseTimesCountAndCapsAtMax() {
    OutlierDetector detector = detector(100, "a:1");
    List<Duration> durations = new ArrayList<>();
    detector.addListener(
        new OutlierListener() {
          @Override
          public void onEjected(String upstream, String endpoint, long ejectionNanos) {
            durations.add(Duration.ofNanos(ejectionNanos));
          }

          @Override
          public void onReturned(String upstream, String endpoint) {}
        });
    for (int i = 1; i <= 5; i++) {
      assertThat(fail(detector, "a:1", 3)).isTrue();
      assertThat(detector.ejections("a:1")).isEqualTo(i);
      ticker.advance(MAX);
    }
    assertThat(durations)
        .containsExactly(
            Duration.ofSeconds(30),
            Duration.ofSeconds(60),
            Duration.ofSeconds(90),
            Duration.ofSeconds(100),
            Duration.ofSeconds(100));
  }

  @Test
  void failuresWhileEjected_areIgnored() {
    OutlierDetector detector = detector(100, "a:1");
    fail(detector, "a:1", 3);
    assertThat(fail(detector, "a:1", 10)).isFalse();
    assertThat(detector.ejections("a:1")).isEqualTo(1);
    assertThat(detector.describe("a:1")).containsEntry("consecutiveFailures", 0);
  }

  @Test
  void maxEjectionPercent_isRespected() {
    OutlierDetector detector =
        detector(20, "a:1", "b:1", "c:1", "d:1", "e:1", "f:1", "g:1", "h:1", "i:1", "j:1");
    assertThat(fail(detector, "a:1", 3)).isTrue();
    assertThat(fail(detector, "b:1", 3)).isTrue();
    assertThat(fail(detector, "c:1", 3)).isFalse();
    assertThat(detector.isEjected("c:1")).isFalse();
    assertThat(detector.ejectedCount()).isEqualTo(2);

    // Once a slot frees, the endpoint still at its threshold is ejected by its next failure.
    detector.unEject("a:1");
    assertThat(detector.onFailure("c:1")).isTrue();
  }

  @Test
  void maxEjectionPercent_expiredEjectionsFreeTheirSlot() {
    OutlierDetector detector = detector(10, "a:1", "b:1", "c:1");
    assertThat(fail(detector, "a:1", 3)).isTrue();
    assertThat(fail(detector, "b:1", 3)).isFalse();
    ticker.advance(BASE);
    // a:1 was never looked at, yet its expired ejection must not block b:1.
    assertThat(detector.onFailure("b:1")).isTrue();
    assertThat(events)
        .containsExactly(
            "ejected users a:1 PT30S", "returned users a:1", "ejected users b:1 PT30S");
  }

  @Test
  void maxEjectionPercent_atLeastOneMayAlwaysBeEjected() {
    OutlierDetector detector = detector(0, "a:1", "b:1");
    assertThat(fail(detector, "a:1", 3)).isTrue();
    assertThat(fail(detector, "b:1", 3)).isFalse();

    OutlierDetector single = detector(10, "only:1");
    assertThat(fail(single, "only:1", 3)).isTrue();
  }

  @Test
  void unEject_returnsAtOnceAndNotifies() {
    OutlierDetector detector = detector(100, "a:1");
    fail(detector, "a:1", 3);
    detector.unEject("a:1");
    assertThat(detector.isEjected("a:1")).isFalse();
    detector.unEject("a:1");
    detector.unEject("unknown:1");
    assertThat(events).containsExactly("ejected users a:1 PT30S", "returned users a:1");
    // The history still counts: the next ejection is twice as long.
    fail(detector, "a:1", 3);
    assertThat(events).last().isEqualTo("ejected users a:1 PT1M");
  }

  @Test
  void setEndpoints_dropsRemovedStateAndFreesTheirSlots() {
    OutlierDetector detector = detector(50, "a:1", "b:1");
    fail(detector, "a:1", 3);
    fail(detector, "b:1", 2);
    detector.setEndpoints(List.of("b:1", "c:1"));
    assertThat(detector.isEjected("a:1")).isFalse();
    assertThat(detector.ejections("a:1")).isZero();
    assertThat(detector.ejectedCount()).isZero();
    assertThat(detector.describe("b:1")).containsEntry("consecutiveFailures", 2);
    assertThat(detector.onFailure("b:1")).isTrue();
  }

  @Test
  void setEndpoints_makesTheSetAuthoritative() {
    OutlierDetector detector = detector(100);
    // Before any set is given, endpoints are tracked from their first failure.
    assertThat(fail(detector, "a:1", 3)).isTrue();

    detector.setEndpoints(List.of("b:1"));
    // A late failure of a removed endpoint neither revives it nor ejects it.
    assertThat(fail(detector, "a:1", 3)).isFalse();
    assertThat(detector.describe("a:1")).containsEntry("consecutiveFailures", 0);
  }

  @Test
  void describe_reportsEjectionState() {
    OutlierDetector detector = detector(100, "a:1");
    fail(detector, "a:1", 3);
    ticker.advance(Duration.ofSeconds(10));
    assertThat(detector.describe("a:1"))
        .containsEntry("ejected", true)
        .containsEntry("ejections", 1)
        .containsEntry("consecutiveFailures", 0)
        .containsEntry("remainingEjectionMillis", 20_000L);
    assertThat(detector.describe("nobody:1"))
        .containsEntry("ejected", false)
        .containsEntry("ejections", 0)
        .containsEntry("remainingEjectionMillis", 0L);
  }
}
