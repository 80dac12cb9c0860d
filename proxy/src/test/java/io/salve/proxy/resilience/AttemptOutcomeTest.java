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
  void isFailure_grpcStatusUnderHttp200() {
    FailureConditions grpc = new FailureConditions(false, false, false, true, Set.of(), Set.of(14, 4));
    assertThat(AttemptOutcome.grpc(200, 14).isFailure(grpc)).isTrue();
    assertThat(AttemptOutcome.grpc(200, 4).isFailure(grpc)).isTrue();
    assertThat(AttemptOutcome.grpc(200, 5).isFailure(grpc)).isFalse();
    assertThat(AttemptOutcome.grpc(200, 0).isFailure(grpc)).isFalse();
    assertThat(AttemptOutcome.grpc(200, -1)).isSameAs(AttemptOutcome.status(200));
    assertThat(AttemptOutcome.grpc(503, 0).isFailure(grpc)).as("the HTTP status still counts").isTrue();
    assertThat(AttemptOutcome.grpc(200, 14).isFailure(NONE)).isFalse();
    assertThat(AttemptOutcome.grpc(200, 14).reason()).isEqualTo("unavailable");
    assertThat(AttemptOutcome.grpc(200, 0).reason()).isEqualTo("200");
    assertThat(AttemptOutcome.grpc(200, 14)).isEqualTo(AttemptOutcome.grpc(200, 14)).isNotEqualTo(AttemptOutcome.status(200));
  }

  @Test
  void status_rejectsNonStatusCodes() {
    assertThatIllegalArgumentException().isThrownBy(() -> AttemptOutcome.status(0));
    assertThatIllegalArgumentException().isThrownBy(() -> AttemptOutcome.status(1000));
  }
}
