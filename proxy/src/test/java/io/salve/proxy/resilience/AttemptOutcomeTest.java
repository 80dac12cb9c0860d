package io.salve.proxy.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.salve.config.FailureConditions;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AttemptOutcomeTest {
  private static final FailureConditions NONE =
      new FailureConditions(false, false, false, false, Set.of());
  private static final FailureConditions ALL =
      new FailureConditions(true, true, true, true, Set.of());

  @Test
  void reasons_areMetricLabels() {
    assertThat(AttemptOutcome.connectFailure().reason()).isEqualTo("connect_failure");
    assertThat(AttemptOutcome.reset().reason()).isEqualTo("reset");
    assertThat(AttemptOutcome.timeout().reason()).isEqualTo("timeout");
    assertThat(AttemptOutcome.status(503).reason()).isEqualTo("503");
  }

  @Test
  void status_isAResponse() {
    AttemptOutcome outcome = AttemptOutcome.status(502);
    assertThat(outcome.isResponse()).isTrue();
    assertThat(outcome.status()).isEqualTo(502);
    assertThat(outcome.kind()).isEqualTo(AttemptOutcome.Kind.RESPONSE);
    assertThat(outcome)
        .isEqualTo(AttemptOutcome.status(502))
        .isNotEqualTo(AttemptOutcome.status(503));
  }

  @Test
  void transportOutcomes_areNotResponses() {
    for (AttemptOutcome outcome :
        new AttemptOutcome[] {
          AttemptOutcome.connectFailure(), AttemptOutcome.reset(), AttemptOutcome.timeout()
        }) {
      assertThat(outcome.isResponse()).isFalse();
      assertThat(outcome.status()).isZero();
    }
  }

  @Test
  void isFailure_followsEachCondition() {
    assertThat(AttemptOutcome.connectFailure().isFailure(ALL)).isTrue();
    assertThat(AttemptOutcome.reset().isFailure(ALL)).isTrue();
    assertThat(AttemptOutcome.timeout().isFailure(ALL)).isTrue();
    assertThat(AttemptOutcome.status(500).isFailure(ALL)).isTrue();
    assertThat(AttemptOutcome.status(599).isFailure(ALL)).isTrue();
    assertThat(AttemptOutcome.status(404).isFailure(ALL)).isFalse();

    assertThat(AttemptOutcome.connectFailure().isFailure(NONE)).isFalse();
    assertThat(AttemptOutcome.reset().isFailure(NONE)).isFalse();
    assertThat(AttemptOutcome.timeout().isFailure(NONE)).isFalse();
    assertThat(AttemptOutcome.status(503).isFailure(NONE)).isFalse();

    FailureConditions onlyReset = new FailureConditions(false, true, false, false, Set.of());
    assertThat(AttemptOutcome.reset().isFailure(onlyReset)).isTrue();
    assertThat(AttemptOutcome.timeout().isFailure(onlyReset)).isFalse();
    assertThat(AttemptOutcome.connectFailure().isFailure(onlyReset)).isFalse();
  }

  @Test
  void isFailure_explicitStatuses() {
    FailureConditions gateway = new FailureConditions(false, false, false, false, Set.of(429, 503));
    assertThat(AttemptOutcome.status(503).isFailure(gateway)).isTrue();
    assertThat(AttemptOutcome.status(429).isFailure(gateway)).isTrue();
    assertThat(AttemptOutcome.status(500).isFailure(gateway)).isFalse();
  }

  @Test
  void status_rejectsNonStatusCodes() {
    assertThatIllegalArgumentException().isThrownBy(() -> AttemptOutcome.status(0));
    assertThatIllegalArgumentException().isThrownBy(() -> AttemptOutcome.status(1000));
  }
}
