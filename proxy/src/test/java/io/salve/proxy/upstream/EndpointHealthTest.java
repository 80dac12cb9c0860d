package io.salve.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.salve.config.HealthCheckConfig;
import io.salve.config.HealthCheckConfig.ProbeType;
import io.salve.config.HealthCheckConfig.StatusRange;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EndpointHealthTest {

  @Test
  void healthyBeforeAnyProbe() {
    EndpointHealth health = new EndpointHealth(3, 2);

    assertThat(health.healthy()).isTrue();
    assertThat(health.consecutiveFailures()).isZero();
    assertThat(health.consecutiveSuccesses()).isZero();
    assertThat(health.lastProbeNanos()).isZero();
    assertThat(health.lastResult()).isNull();
  }

  @Test
  void becomesUnhealthyExactlyAtUnhealthyThreshold() {
    EndpointHealth health = new EndpointHealth(3, 2);

    assertThat(health.recordProbe(false, 10)).isFalse();
    assertThat(health.recordProbe(false, 20)).isFalse();
    assertThat(health.healthy()).isTrue();
    assertThat(health.consecutiveFailures()).isEqualTo(2);

    assertThat(health.recordProbe(false, 30)).isTrue();
    assertThat(health.healthy()).isFalse();
    assertThat(health.consecutiveFailures()).isEqualTo(3);
  }

  @Test
  void furtherFailuresDoNotReportAChange() {
    EndpointHealth health = new EndpointHealth(2, 2);
    health.recordProbe(false, 1);
    health.recordProbe(false, 2);

    assertThat(health.recordProbe(false, 3)).isFalse();
    assertThat(health.healthy()).isFalse();
    assertThat(health.consecutiveFailures()).isEqualTo(3);
  }

  @Test
  void becomesHealthyAgainExactlyAtHealthyThreshold() {
    EndpointHealth health = unhealthy(new EndpointHealth(1, 3));

    assertThat(health.recordProbe(true, 10)).isFalse();
    assertThat(health.recordProbe(true, 20)).isFalse();
    assertThat(health.healthy()).isFalse();
    assertThat(health.consecutiveSuccesses()).isEqualTo(2);

    assertThat(health.recordProbe(true, 30)).isTrue();
    assertThat(health.healthy()).isTrue();
    assertThat(health.consecutiveSuccesses()).isEqualTo(3);
    assertThat(health.recordProbe(true, 40)).isFalse();
  }

  @Test
  void aPassResetsTheFailureStreak() {
    EndpointHealth health = new EndpointHealth(3, 2);

    health.recordProbe(false, 1);
    health.recordProbe(false, 2);
    health.recordProbe(true, 3);
    assertThat(health.consecutiveFailures()).isZero();
    assertThat(health.consecutiveSuccesses()).isEqualTo(1);

    health.recordProbe(false, 4);
    health.recordProbe(false, 5);
    assertThat(health.healthy()).isTrue();
    assertThat(health.consecutiveFailures()).isEqualTo(2);
    assertThat(health.consecutiveSuccesses()).isZero();

    assertThat(health.recordProbe(false, 6)).isTrue();
    assertThat(health.healthy()).isFalse();
  }

  @Test
  void aFailureResetsTheSuccessStreak() {
    EndpointHealth health = unhealthy(new EndpointHealth(1, 2));

    health.recordProbe(true, 1);
    assertThat(health.recordProbe(false, 2)).isFalse();
    assertThat(health.consecutiveSuccesses()).isZero();
    health.recordProbe(true, 3);
    assertThat(health.healthy()).isFalse();

    assertThat(health.recordProbe(true, 4)).isTrue();
    assertThat(health.healthy()).isTrue();
  }

  @Test
  void passesWhileHealthyDoNotChangeTheFlag() {
    EndpointHealth health = new EndpointHealth(1, 1);

    assertThat(health.recordProbe(true, 1)).isFalse();
    assertThat(health.healthy()).isTrue();
    assertThat(health.consecutiveSuccesses()).isEqualTo(1);
  }

  @Test
  void thresholdOfOneFlipsOnEveryChangeOfResult() {
    EndpointHealth health = new EndpointHealth(1, 1);

    assertThat(health.recordProbe(false, 1)).isTrue();
    assertThat(health.recordProbe(true, 2)).isTrue();
    assertThat(health.recordProbe(false, 3)).isTrue();
    assertThat(health.healthy()).isFalse();
  }

  @Test
  void remembersTheLastProbe() {
    EndpointHealth health = new EndpointHealth(3, 2);

    health.recordProbe(false, 1_234);
    assertThat(health.lastProbeNanos()).isEqualTo(1_234);
    assertThat(health.lastResult()).isFalse();

    health.recordProbe(true, 5_678);
    assertThat(health.lastProbeNanos()).isEqualTo(5_678);
    assertThat(health.lastResult()).isTrue();
  }

  @Test
  void takesThresholdsFromConfig() {
    HealthCheckConfig config =
        new HealthCheckConfig(
            ProbeType.HTTP,
            "/healthz",
            Duration.ofSeconds(5),
            Duration.ofSeconds(1),
            4,
            5,
            0.5,
            new StatusRange(200, 399));

    EndpointHealth health = EndpointHealth.from(config);

    assertThat(health.unhealthyThreshold()).isEqualTo(4);
    assertThat(health.healthyThreshold()).isEqualTo(5);
  }

  @Test
  void rejectsThresholdsBelowOne() {
    assertThatThrownBy(() -> new EndpointHealth(0, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new EndpointHealth(1, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void concurrentProbesAreAllCounted() throws InterruptedException {
    int threads = 4;
    int perThread = 10_000;
    EndpointHealth health = new EndpointHealth(Integer.MAX_VALUE, 1);
    Thread[] workers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      workers[t] =
          new Thread(
              () -> {
                for (int i = 0; i < perThread; i++) {
                  health.recordProbe(false, i);
                }
              });
      workers[t].start();
    }
    for (Thread worker : workers) {
      worker.join();
    }

    assertThat(health.consecutiveFailures()).isEqualTo(threads * perThread);
    assertThat(health.healthy()).isTrue();
  }

  private static EndpointHealth unhealthy(EndpointHealth health) {
    for (int i = 0; i < health.unhealthyThreshold(); i++) {
      health.recordProbe(false, 0);
    }
    assertThat(health.healthy()).isFalse();
    return health;
  }
}
