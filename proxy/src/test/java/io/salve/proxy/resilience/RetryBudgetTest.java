package io.salve.proxy.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.salve.config.RetryBudgetConfig;
import io.salve.proxy.util.FakeTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {
  private final FakeTicker ticker = new FakeTicker();

  private static int drain(RetryBudget budget) {
    int granted = 0;
    while (budget.tryAcquireRetry()) {
      granted++;
    }
    return granted;
  }

  @Test
  void noTraffic_allowsMinPerSecondTimesTen() {
    RetryBudget budget = RetryBudget.of(new RetryBudgetConfig(0.2, 10), ticker);
    assertThat(drain(budget)).isEqualTo(100);
    assertThat(budget.retriesInWindow()).isEqualTo(100);
    assertThat(budget.tryAcquireRetry()).isFalse();
  }

  @Test
  void requests_addRatioTimesRequests() {
    RetryBudget budget = RetryBudget.of(new RetryBudgetConfig(0.2, 10), ticker);
    assertThat(drain(budget)).isEqualTo(100);
    for (int i = 0; i < 50; i++) {
      budget.onRequest();
    }
    assertThat(budget.requestsInWindow()).isEqualTo(50);
    assertThat(drain(budget)).isEqualTo(10);
    assertThat(budget.retriesInWindow()).isEqualTo(110);
  }

  @Test
  void fractionalAllowance_roundsInFavourOfTheRetry() {
    RetryBudget budget = RetryBudget.of(new RetryBudgetConfig(0.2, 0), ticker);
    assertThat(budget.tryAcquireRetry()).isFalse();
    budget.onRequest();
    // 0 retries < 0.2 allowed
    assertThat(budget.tryAcquireRetry()).isTrue();
    assertThat(budget.tryAcquireRetry()).isFalse();
    for (int i = 0; i < 4; i++) {
      budget.onRequest();
    }
    // 1 retry < 1.0 allowed is false
    assertThat(budget.tryAcquireRetry()).isFalse();
    budget.onRequest();
    assertThat(budget.tryAcquireRetry()).isTrue();
  }

  @Test
  void window_slidesOutAfterTenSeconds() {
    RetryBudget budget = RetryBudget.of(new RetryBudgetConfig(0.2, 10), ticker);
    for (int i = 0; i < 50; i++) {
      budget.onRequest();
    }
    assertThat(drain(budget)).isEqualTo(110);

    ticker.advance(Duration.ofSeconds(9));
    assertThat(budget.tryAcquireRetry()).isFalse();
    assertThat(budget.requestsInWindow()).isEqualTo(50);

    ticker.advance(Duration.ofSeconds(1));
    assertThat(budget.requestsInWindow()).isZero();
    assertThat(budget.retriesInWindow()).isZero();
    assertThat(drain(budget)).isEqualTo(100);
  }

  @Test
  void window_slidesOneSecondBucketAtATime() {
    RetryBudget budget = RetryBudget.of(new RetryBudgetConfig(0.0, 1), ticker);
    for (int second = 0; second < 10; second++) {
      assertThat(budget.tryAcquireRetry()).as("second %d", second).isTrue();
      ticker.advance(Duration.ofSeconds(1));
    }
    // Ten retries, one per bucket; each second exactly one leaves the window.
    assertThat(budget.retriesInWindow()).isEqualTo(9);
    assertThat(budget.tryAcquireRetry()).isTrue();
    assertThat(budget.tryAcquireRetry()).isFalse();
  }
}
