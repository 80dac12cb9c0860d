package io.salve.proxy.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.salve.config.BackoffConfig;
import io.salve.config.FailureConditions;
import io.salve.config.RetryConfig;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RetryPolicyTest {
  private static final BackoffConfig BACKOFF =
      new BackoffConfig(
          Duration.ofMillis(50), Duration.ofSeconds(1), 2.0, BackoffConfig.Jitter.NONE);
  /** connect-failure, reset, 503 */
  private static final FailureConditions RETRY_ON =
      new FailureConditions(true, true, false, false, Set.of(503));

  private static RetryPolicy policy(boolean retryNonIdempotent) {
    return RetryPolicy.of(
        new RetryConfig(3, RETRY_ON, retryNonIdempotent, BACKOFF, null, null, 65_536));
  }

  @Test
  void exposesTheConfiguration() {
    RetryPolicy policy =
        RetryPolicy.of(
            new RetryConfig(
                4, RETRY_ON, false, BACKOFF, Duration.ofSeconds(5), Duration.ofSeconds(1), 1024));
    assertThat(policy.maxAttempts()).isEqualTo(4);
    assertThat(policy.maxBufferedBody()).isEqualTo(1024);
    assertThat(policy.maxElapsed()).isEqualTo(Duration.ofSeconds(5));
    assertThat(policy.perTryTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(policy.backoff().delayNanos(2, 0, new Random(42)))
        .isEqualTo(Duration.ofMillis(100).toNanos());
  }

  @Test
  void optionalDurations_mayBeNull() {
    RetryPolicy policy = policy(false);
    assertThat(policy.maxElapsed()).isNull();
    assertThat(policy.perTryTimeout()).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
  void allowsReplay_idempotentMethods(String method) {
    assertThat(policy(false).allowsReplay(method, false)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"POST", "PATCH", "CONNECT", "PROPFIND", "get"})
  void allowsReplay_otherMethodsOnlyWithKeyOrOptIn(String method) {
    assertThat(policy(false).allowsReplay(method, false)).isFalse();
    assertThat(policy(false).allowsReplay(method, true)).isTrue();
    assertThat(policy(true).allowsReplay(method, false)).isTrue();
  }

  @Test
  void isRetryable_requiresOutcomeInRetryOn() {
    RetryPolicy policy = policy(true);
    assertThat(policy.isRetryable(AttemptOutcome.timeout(), "GET", false)).isFalse();
    assertThat(policy.isRetryable(AttemptOutcome.status(500), "GET", false)).isFalse();
    assertThat(policy.isRetryable(AttemptOutcome.status(200), "GET", false)).isFalse();
    assertThat(policy.isRetryable(AttemptOutcome.status(503), "GET", false)).isTrue();
    assertThat(policy.isRetryable(AttemptOutcome.reset(), "GET", false)).isTrue();
  }

  @Test
  void isRetryable_connectFailureWhateverTheMethod() {
    RetryPolicy policy = policy(false);
    assertThat(policy.isRetryable(AttemptOutcome.connectFailure(), "POST", false)).isTrue();
    assertThat(policy.isRetryable(AttemptOutcome.connectFailure(), "PATCH", false)).isTrue();
  }

  @Test
  void isRetryable_connectFailureNotInRetryOn_isNotRetried() {
    RetryPolicy policy =
        RetryPolicy.of(
            new RetryConfig(
                3,
                new FailureConditions(false, true, false, false, Set.of()),
                false,
                BACKOFF,
                null,
                null,
                0));
    assertThat(policy.isRetryable(AttemptOutcome.connectFailure(), "GET", false)).isFalse();
  }

  @Test
  void isRetryable_nonIdempotentAfterSendNeedsKeyOrOptIn() {
    assertThat(policy(false).isRetryable(AttemptOutcome.reset(), "POST", false)).isFalse();
    assertThat(policy(false).isRetryable(AttemptOutcome.status(503), "PATCH", false)).isFalse();
    assertThat(policy(false).isRetryable(AttemptOutcome.reset(), "POST", true)).isTrue();
    assertThat(policy(true).isRetryable(AttemptOutcome.status(503), "POST", false)).isTrue();
    assertThat(policy(false).isRetryable(AttemptOutcome.reset(), "PUT", false)).isTrue();
  }
}
