package io.salve.proxy.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.salve.config.RecoveryConfig;
import io.salve.proxy.util.FakeTicker;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RecoveryPolicyTest {

  private static final Duration AFTER = Duration.ofSeconds(30);
  private static final Duration ROUND = Duration.ofSeconds(5);

  private final FakeTicker ticker = new FakeTicker();
  private final RecoveryPolicy policy = new RecoveryPolicy(AFTER, ticker);

  @Test
  void startsHealthyWithNoActions() {
    assertThat(policy.unhealthySinceNanos()).isEqualTo(-1);
    assertThat(policy.actionsTaken()).isZero();
  }

  @Test
  void healthyRoundsNeverAct() {
    for (int i = 0; i < 100; i++) {
      assertThat(policy.evaluate(false)).isFalse();
      ticker.advance(ROUND);
    }
    assertThat(policy.actionsTaken()).isZero();
  }

  @Test
  void firesExactlyAfterTheConfiguredTime() {
    long start = ticker.nanos();
    assertThat(policy.evaluate(true)).isFalse();
    assertThat(policy.unhealthySinceNanos()).isEqualTo(start);

    ticker.advance(AFTER.minusNanos(1));
    assertThat(policy.evaluate(true)).isFalse();

    ticker.advance(Duration.ofNanos(1));
    assertThat(policy.evaluate(true)).isTrue();
    assertThat(policy.actionsTaken()).isEqualTo(1);
    assertThat(policy.unhealthySinceNanos()).isEqualTo(start);
  }

  @Test
  void doesNotFireAgainBeforeAnotherAfter() {
    policy.evaluate(true);
    ticker.advance(AFTER);
    assertThat(policy.evaluate(true)).isTrue();

    assertThat(policy.evaluate(true)).isFalse();
    ticker.advance(AFTER.minusNanos(1));
    assertThat(policy.evaluate(true)).isFalse();

    ticker.advance(Duration.ofNanos(1));
    assertThat(policy.evaluate(true)).isTrue();
    assertThat(policy.actionsTaken()).isEqualTo(2);
  }

  @Test
  void firesOnEveryAfterWhileUnhealthyWithRegularRounds() {
    int fired = 0;
    // 10 minutes of rounds every 5s, all unhealthy: actions at 30s, 60s, ..., 600s.
    for (int round = 0; round <= 120; round++) {
      if (policy.evaluate(true)) {
        fired++;
        assertThat(round % 6).isZero();
      }
      ticker.advance(ROUND);
    }
    assertThat(fired).isEqualTo(20);
  }

  @Test
  void aHealthyRoundResetsTheUnhealthyClock() {
    policy.evaluate(true);
    ticker.advance(AFTER.minusSeconds(1));
    assertThat(policy.evaluate(false)).isFalse();
    assertThat(policy.unhealthySinceNanos()).isEqualTo(-1);

    long restart = ticker.advance(Duration.ofSeconds(1)).nanos();
    assertThat(policy.evaluate(true)).isFalse();
    assertThat(policy.unhealthySinceNanos()).isEqualTo(restart);

    ticker.advance(AFTER.minusNanos(1));
    assertThat(policy.evaluate(true)).isFalse();
    ticker.advance(Duration.ofNanos(1));
    assertThat(policy.evaluate(true)).isTrue();
  }

  @Test
  void recoveringDoesNotResetTheLastActionTime() {
    policy.evaluate(true);
    ticker.advance(AFTER);
    assertThat(policy.evaluate(true)).isTrue(); // action at t = 30s

    ticker.advance(Duration.ofSeconds(1));
    policy.evaluate(false);
    ticker.advance(Duration.ofSeconds(1));
    policy.evaluate(true); // unhealthy again from t = 32s

    // At t = 60s the last action is 30s old but this spell is only 28s old.
    ticker.advance(Duration.ofSeconds(28));
    assertThat(policy.evaluate(true)).isFalse();
    ticker.advance(Duration.ofSeconds(2));
    assertThat(policy.evaluate(true)).isTrue();
    assertThat(policy.actionsTaken()).isEqualTo(2);
  }

  @Test
  void aShortFlapAfterAnActionStillWaitsForTheGap() {
    policy.evaluate(true);
    ticker.advance(AFTER);
    assertThat(policy.evaluate(true)).isTrue(); // action at t = 30s

    // Healthy for one round, then unhealthy for a long spell starting right away.
    policy.evaluate(false);
    policy.evaluate(true);
    ticker.advance(AFTER.minusNanos(1));
    assertThat(policy.evaluate(true)).isFalse();
    ticker.advance(Duration.ofNanos(1));
    assertThat(policy.evaluate(true)).isTrue();
  }

  @Test
  void firesAgainLaterAfterAFullRecovery() {
    policy.evaluate(true);
    ticker.advance(AFTER);
    assertThat(policy.evaluate(true)).isTrue();

    ticker.advance(Duration.ofMinutes(10));
    policy.evaluate(false);
    ticker.advance(Duration.ofMinutes(10));
    assertThat(policy.evaluate(true)).isFalse();
    ticker.advance(AFTER);
    assertThat(policy.evaluate(true)).isTrue();
    assertThat(policy.actionsTaken()).isEqualTo(2);
  }

  @Test
  void takesAfterFromConfig() {
    RecoveryPolicy fromConfig =
        RecoveryPolicy.from(
            new RecoveryConfig(Duration.ofMinutes(2), URI.create("http://localhost:9/hook")),
            ticker);

    assertThat(fromConfig.afterNanos()).isEqualTo(Duration.ofMinutes(2).toNanos());
  }

  @Test
  void rejectsNonPositiveAfter() {
    assertThatThrownBy(() -> new RecoveryPolicy(Duration.ZERO, ticker))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RecoveryPolicy(Duration.ofSeconds(-1), ticker))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
