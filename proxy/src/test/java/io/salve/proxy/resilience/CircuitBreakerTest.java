package io.salve.proxy.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.salve.config.CircuitBreakerConfig;
import io.salve.config.FailureConditions;
import io.salve.config.FailureRateConfig;
import io.salve.proxy.util.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {
  private static final Duration OPEN = Duration.ofSeconds(30);
  private static final FailureConditions FAIL_ON =
      new FailureConditions(true, true, true, true, Set.of());

  private final FakeTicker ticker = new FakeTicker();
  private final List<String> transitions = new ArrayList<>();

  private CircuitBreaker breaker(int failures, int successes, int halfOpenMax) {
    return breaker(failures, successes, halfOpenMax, null);
  }

  private CircuitBreaker breaker(
      int failures, int successes, int halfOpenMax, FailureRateConfig rate) {
    CircuitBreaker breaker =
        CircuitBreaker.of(
            "users",
            new CircuitBreakerConfig(failures, successes, OPEN, halfOpenMax, rate, FAIL_ON),
            ticker);
    breaker.addListener(
        (upstream, from, to) -> transitions.add(upstream + ":" + from.key() + "->" + to.key()));
    return breaker;
  }

  private static void fail(CircuitBreaker breaker, int times) {
    for (int i = 0; i < times; i++) {
      assertThat(breaker.tryAcquirePermission()).isTrue();
      breaker.onFailure();
    }
  }

  private static void succeed(CircuitBreaker breaker, int times) {
    for (int i = 0; i < times; i++) {
      assertThat(breaker.tryAcquirePermission()).isTrue();
      breaker.onSuccess();
    }
  }

  private CircuitBreaker openBreaker(int halfOpenMax) {
    CircuitBreaker breaker = breaker(3, 2, halfOpenMax);
    fail(breaker, 3);
    assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
    transitions.clear();
    return breaker;
  }

  @Test
  void stateKeys() {
    assertThat(CircuitState.CLOSED.key()).isEqualTo("closed");
    assertThat(CircuitState.OPEN.key()).isEqualTo("open");
    assertThat(CircuitState.HALF_OPEN.key()).isEqualTo("half_open");
  }

  @Test
  void newBreaker_isClosedAndPermits() {
    CircuitBreaker breaker = breaker(3, 2, 1);
    assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
    assertThat(breaker.tryAcquirePermission()).isTrue();
    assertThat(breaker.remainingOpenNanos()).isZero();
  }

  @Test
  void closed_opensAfterExactlyThresholdConsecutiveFailures() {
    CircuitBreaker breaker = breaker(3, 2, 1);
    fail(breaker, 2);
    assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
    fail(breaker, 1);
    assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
    assertThat(breaker.tryAcquirePermission()).isFalse();
    assertThat(transitions).containsExactly("users:closed->open");
  }

  @Test
  void closed_successResetsConsecutiveFailures() {
    CircuitBreaker breaker = breaker(3, 2, 1);
    fail(breaker, 2);
    succeed(breaker, 1);
    fail(breaker, 2);
    assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
    assertThat(breaker.describe()).containsEntry("consecutiveFailures", 2);
    fail(breaker, 1);
    assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
  }

  @Test
  void open_refusesUntilOpenDurationThenHalfOpensExactlyAtIt() {
    CircuitBreaker breaker = openBreaker(1);
    assertThat(breaker.remainingOpenNanos()).isEqualTo(OPEN.toNanos());

    ticker.advance(OPEN.minusNanos(1));
    assertThat(breaker.tryAcquirePermission()).isFalse();
    assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
    assertThat(breaker.remainingOpenNanos()).isEqualTo(1);

    ticker.advance(Duration.ofNanos(1));
    assertThat(breaker.tryAcquirePermission()).isTrue();
    assertThat(breaker.state()).isEqualTo(CircuitState.HALF_OPEN);
    assertThat(breaker.remainingOpenNanos()).isZero();
    assertThat(transitions).containsExactly("users:open->half_open");
  }

  @Test
  void open_stateReadMovesToHalfOpenLazilyAndNotifiesOnce() {
    CircuitBreaker breaker = openBreaker(1);
    ticker.advance(OPEN);
    assertThat(breaker.state()).isEqualTo(CircuitState.HALF_OPEN);
    assertThat(breaker.state()).isEqualTo(CircuitState.HALF_OPEN);
    assertThat(transitions).containsExactly("users:open->half_open");
    assertThat(breaker.tryAcquirePermission()).isTrue();
    assertThat(breaker.tryAcquirePermission()).isFalse();
  }

  @Test
  void halfOpen_grantsOnlyMaxTrialPermits() {
    CircuitBreaker breaker = openBreaker(2);
    ticker.advance(OPEN);
    assertThat(breaker.tryAcquirePermission()).isTrue();
    assertThat(breaker.tryAcquirePermission()).isTrue();
    assertThat(breaker.tryAcquirePermission()).isFalse();
  }

  @Test
  void halfOpen_closesAfterSuccessThresholdAndResets() {
    CircuitBreaker breaker = openBreaker(1);
    ticker.advance(OPEN);
    succeed(breaker, 1);
    assertThat(breaker.state()).isEqualTo(CircuitState.HALF_OPEN);
    succeed(breaker, 1);
    assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
    assertThat(breaker.describe()).containsEntry("consecutiveFailures", 0);
    assertThat(transitions).containsExactly("users:open->half_open", "users:half_open->closed");
    // A full threshold is needed again after closing.
    fail(breaker, 2);
    assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void halfOpen_oneFailureReopensWithFreshOpenDuration() {
    CircuitBreaker breaker = openBreaker(1);
    ticker.advance(OPEN.plusSeconds(5));
    succeed(breaker, 1);
    fail(breaker, 1);
    assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
    assertThat(breaker.remainingOpenNanos()).isEqualTo(OPEN.toNanos());
    ticker.advance(OPEN.minusNanos(1));
    assertThat(breaker.tryAcquirePermission()).isFalse();
    ticker.advance(Duration.ofNanos(1));
    assertThat(breaker.tryAcquirePermission()).isTrue();
    assertThat(transitions)
        .containsExactly(
            "users:open->half_open", "users:half_open->open", "users:open->half_open");
  }

  @Test
  void halfOpen_releasePermissionFreesTrialSlot() {
    CircuitBreaker breaker = openBreaker(1);
    ticker.advance(OPEN);
    assertThat(breaker.tryAcquirePermission()).isTrue();
    assertThat(breaker.tryAcquirePermission()).isFalse();
    breaker.releasePermission();
    assertThat(breaker.state()).isEqualTo(CircuitState.HALF_OPEN);
    assertThat(breaker.tryAcquirePermission()).isTrue();
  }

  @Test
  void releasePermission_whenClosed_isHarmless() {
    CircuitBreaker breaker = breaker(3, 2, 1);
    assertThat(breaker.tryAcquirePermission()).isTrue();
    breaker.releasePermission();
    assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
    assertThat(transitions).isEmpty();
  }

  @Test
  void open_lateOutcomesAreIgnored() {
    CircuitBreaker breaker = breaker(3, 2, 1);
    // Three slow requests start while closed, then three quick failures open it.
    for (int i = 0; i < 3; i++) {
      assertThat(breaker.tryAcquirePermission()).isTrue();
    }
    fail(breaker, 3);
    breaker.onSuccess();
    breaker.onFailure();
    breaker.releasePermission();
    assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
    assertThat(breaker.remainingOpenNanos()).isEqualTo(OPEN.toNanos());
    assertThat(transitions).containsExactly("users:closed->open");
  }

  @Test
  void halfOpen_lateOutcomeWithoutTrialInFlightIsIgnored() {
    CircuitBreaker breaker = openBreaker(1);
    ticker.advance(OPEN);
    assertThat(breaker.state()).isEqualTo(CircuitState.HALF_OPEN);
    breaker.onFailure();
    breaker.onSuccess();
    breaker.onSuccess();
    assertThat(breaker.state()).isEqualTo(CircuitState.HALF_OPEN);
    assertThat(transitions).containsExactly("users:open->half_open");
  }

  @Test
  void permits_fromAnEarlierGenerationAreIgnored() {
    CircuitBreaker breaker = breaker(1, 1, 1);
    long closedPermit = breaker.tryAcquirePermit();
    fail(breaker, 1);
    ticker.advance(OPEN);
    long trial = breaker.tryAcquirePermit();
    assertThat(trial).isNotEqualTo(CircuitBreaker.NO_PERMIT).isNotEqualTo(closedPermit);

    // The slow closed-era request fails while the trial is in flight: it must not reopen.
    breaker.onFailure(closedPermit);
    breaker.releasePermission(closedPermit);
    assertThat(breaker.state()).isEqualTo(CircuitState.HALF_OPEN);
    assertThat(breaker.tryAcquirePermit()).isEqualTo(CircuitBreaker.NO_PERMIT);

    breaker.onSuccess(trial);
    assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void failureRate_opensAtThresholdOnceMinimumRequestsReached() {
    CircuitBreaker breaker =
        breaker(100, 1, 1, new FailureRateConfig(0.5, 10, Duration.ofSeconds(10)));
    succeed(breaker, 5);
    fail(breaker, 4);
    // 4 failures of 9 outcomes: below the minimum anyway.
    assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
    assertThat((double) breaker.describe().get("failureRate")).isCloseTo(4.0 / 9, within());
    fail(breaker, 1);
    // 5 of 10 = 0.5 >= 0.5
    assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
  }

  @Test
  void failureRate_belowThresholdStaysClosed() {
    CircuitBreaker breaker =
        breaker(100, 1, 1, new FailureRateConfig(0.5, 10, Duration.ofSeconds(10)));
    for (int i = 0; i < 20; i++) {
      succeed(breaker, 2);
      fail(breaker, 1);
    }
    assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void failureRate_oldBucketsSlideOutOfTheWindow() {
    CircuitBreaker breaker =
        breaker(100, 1, 1, new FailureRateConfig(0.5, 4, Duration.ofSeconds(10)));
    fail(breaker, 3);
    assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
    // Ten one-second buckets: after 10s the three failures are gone.
    ticker.advance(Duration.ofSeconds(10));
    assertThat((double) breaker.describe().get("failureRate")).isZero();
    succeed(breaker, 2);
    fail(breaker, 1);
    // 1 of 3 in the window, below the minimum of 4; without sliding it would be 4 of 6.
    assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
    fail(breaker, 1);
    // 2 of 4 = 0.5
    assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
  }

  @Test
  void failureRate_windowIsFreshAfterClosing() {
    CircuitBreaker breaker =
        breaker(100, 1, 1, new FailureRateConfig(0.5, 4, Duration.ofSeconds(10)));
    fail(breaker, 4);
    assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
    ticker.advance(OPEN);
    succeed(breaker, 1);
    assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
    assertThat((double) breaker.describe().get("failureRate")).isZero();
    fail(breaker, 3);
    assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void describe_reportsStateCountsAndRemainingOpenTime() {
    CircuitBreaker breaker = openBreaker(1);
    ticker.advance(Duration.ofMillis(10_500));
    assertThat(breaker.describe())
        .containsEntry("state", "open")
        .containsEntry("consecutiveFailures", 3)
        .containsEntry("remainingOpenMillis", 19_500L)
        .doesNotContainKey("failureRate");
  }

  @Test
  void listeners_seeEveryTransitionExactlyOnceInAFullCycle() {
    CircuitBreaker breaker = breaker(2, 1, 1);
    fail(breaker, 2);
    ticker.advance(OPEN);
    fail(breaker, 1);
    ticker.advance(OPEN);
    succeed(breaker, 1);
    assertThat(transitions)
        .containsExactly(
            "users:closed->open",
            "users:open->half_open",
            "users:half_open->open",
            "users:open->half_open",
            "users:half_open->closed");
  }

  @Test
  void listener_thatThrowsDoesNotBreakTheBreaker() {
    CircuitBreaker breaker = breaker(1, 1, 1);
    breaker.addListener(
        (upstream, from, to) -> {
          throw new IllegalStateException("boom");
        });
    fail(breaker, 1);
    assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
    assertThat(transitions).containsExactly("users:closed->open");
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-9);
  }
}
