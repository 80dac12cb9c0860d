package io.salve.proxy.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.salve.config.BackoffConfig;
import io.salve.config.CircuitBreakerConfig;
import io.salve.config.FailureConditions;
import io.salve.config.RetryBudgetConfig;
import io.salve.config.RetryConfig;
import io.salve.proxy.resilience.RetryPlanner.Verdict;
import io.salve.proxy.util.FakeTicker;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RetryPlannerTest {
  private static final FailureConditions RETRY_ON = new FailureConditions(true, true, true, false, Set.of(503));
  private static final BackoffConfig BACKOFF =
      new BackoffConfig(Duration.ofMillis(100), Duration.ofSeconds(1), 2.0, BackoffConfig.Jitter.NONE);
  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

  private final FakeTicker ticker = new FakeTicker();

  private RetryPlanner planner(int maxAttempts, Duration maxElapsed, long deadline, String method, CircuitBreaker cb) {
    RetryPolicy policy =
        RetryPolicy.of(new RetryConfig(maxAttempts, RETRY_ON, false, BACKOFF, maxElapsed, null, 65_536));
    RetryBudget budget = RetryBudget.of(new RetryBudgetConfig(0.2, 10), ticker);
    return new RetryPlanner(
        policy, budget, cb, ticker, new Random(7), () -> NOW, method, false, ticker.nanos(), deadline);
  }

  @Test
  void retriesUpToMaxAttemptsWithGrowingBackoff() {
    RetryPlanner p = planner(3, null, Long.MAX_VALUE, "GET", null);
    RetryPlanner.Decision first = p.next(1, AttemptOutcome.reset(), true, null);
    RetryPlanner.Decision second = p.next(2, AttemptOutcome.status(503), true, null);
    assertThat(first.verdict()).isEqualTo(Verdict.RETRY);
    assertThat(first.delayNanos()).isEqualTo(Duration.ofMillis(100).toNanos());
    assertThat(second.delayNanos()).isEqualTo(Duration.ofMillis(200).toNanos());
    assertThat(p.next(3, AttemptOutcome.reset(), true, null).verdict()).isEqualTo(Verdict.MAX_ATTEMPTS);
  }

  @Test
  void postIsRetriedOnlyAfterAConnectFailure() {
    RetryPlanner p = planner(3, null, Long.MAX_VALUE, "POST", null);
    assertThat(p.next(1, AttemptOutcome.reset(), true, null).verdict()).isEqualTo(Verdict.NOT_RETRYABLE);
    assertThat(p.next(1, AttemptOutcome.connectFailure(), true, null).verdict()).isEqualTo(Verdict.RETRY);
  }

  @Test
  void outcomesOutsideRetryOnAreNotRetried() {
    RetryPlanner p = planner(3, null, Long.MAX_VALUE, "GET", null);
    assertThat(p.next(1, AttemptOutcome.status(500), true, null).verdict()).isEqualTo(Verdict.NOT_RETRYABLE);
  }

  @Test
  void aBodyThatCannotBeReplayedStopsRetries() {
    RetryPlanner p = planner(3, null, Long.MAX_VALUE, "PUT", null);
    assertThat(p.next(1, AttemptOutcome.reset(), false, null).verdict()).isEqualTo(Verdict.BODY_NOT_REPLAYABLE);
  }

  @Test
  void noAttemptStartsAfterMaxElapsedOrTheDeadline() {
    RetryPlanner elapsed = planner(5, Duration.ofMillis(150), Long.MAX_VALUE, "GET", null);
    ticker.advance(Duration.ofMillis(60));
    assertThat(elapsed.next(1, AttemptOutcome.reset(), true, null).verdict()).isEqualTo(Verdict.DEADLINE);

    RetryPlanner deadline = planner(5, null, ticker.nanos() + Duration.ofMillis(99).toNanos(), "GET", null);
    assertThat(deadline.next(1, AttemptOutcome.reset(), true, null).verdict()).isEqualTo(Verdict.DEADLINE);
  }

  @Test
  void retryAfterReplacesBackoffWhenItFitsAndReturnsTheResponseWhenItDoesNot() {
    RetryPlanner fits = planner(3, Duration.ofSeconds(10), Long.MAX_VALUE, "GET", null);
    RetryPlanner.Decision d = fits.next(1, AttemptOutcome.status(503), true, "2");
    assertThat(d.verdict()).isEqualTo(Verdict.RETRY);
    assertThat(d.delayNanos()).isEqualTo(Duration.ofSeconds(2).toNanos());

    RetryPlanner tooLong = planner(3, Duration.ofSeconds(1), Long.MAX_VALUE, "GET", null);
    assertThat(tooLong.next(1, AttemptOutcome.status(503), true, "2").verdict())
        .isEqualTo(Verdict.RETRY_AFTER_TOO_LONG);
  }

  @Test
  void anOpenCircuitStopsRetries() {
    CircuitBreaker cb =
        CircuitBreaker.of(
            "u", new CircuitBreakerConfig(1, 1, Duration.ofSeconds(30), 1, null, RETRY_ON), ticker);
    long permit = cb.tryAcquirePermit();
    cb.onFailure(permit);
    RetryPlanner p = planner(3, null, Long.MAX_VALUE, "GET", cb);
    assertThat(p.next(1, AttemptOutcome.reset(), true, null).verdict()).isEqualTo(Verdict.CIRCUIT_OPEN);
  }

  @Test
  void theBudgetBoundsRetriesAcrossRequests() {
    RetryPolicy policy = RetryPolicy.of(new RetryConfig(2, RETRY_ON, false, BACKOFF, null, null, 65_536));
    RetryBudget budget = RetryBudget.of(new RetryBudgetConfig(0.0, 1), ticker);
    int granted = 0;
    for (int i = 0; i < 25; i++) {
      budget.onRequest();
      RetryPlanner p =
          new RetryPlanner(
              policy, budget, null, ticker, new Random(i), () -> NOW, "GET", false, ticker.nanos(), Long.MAX_VALUE);
      if (p.next(1, AttemptOutcome.reset(), true, null).retry()) {
        granted++;
      }
    }
    assertThat(granted).isEqualTo(10); // minPerSecond 1 x the 10 s window, ratio 0
  }
}
