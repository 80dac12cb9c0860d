package io.salve.proxy.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.salve.config.CircuitBreakerConfig;
import io.salve.config.FailureConditions;
import io.salve.config.OutlierDetectionConfig;
import io.salve.config.RetryBudgetConfig;
import io.salve.proxy.util.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Several threads hammer the shared objects at once. Interleavings vary from run to run, but every
 * assertion is an invariant that must hold for all of them; the ticker never moves.
 */
@Timeout(30)
class ConcurrentUseTest {
  private static final int THREADS = 8;
  private static final int ITERATIONS = 20_000;
  private static final Duration OPEN = Duration.ofSeconds(30);

  private final FakeTicker ticker = new FakeTicker();

  @FunctionalInterface
  private interface Worker {
    void run(int thread) throws Exception;
  }

  private static void hammer(Worker worker) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int id = t;
      Thread thread =
          new Thread(
              () -> {
                try {
                  start.await();
                  worker.run(id);
                } catch (Throwable e) {
                  errors.add(e);
                }
              },
              "hammer-" + t);
      threads.add(thread);
      thread.start();
    }
    start.countDown();
    for (Thread thread : threads) {
      thread.join(TimeUnit.SECONDS.toMillis(20));
      assertThat(thread.isAlive()).as("%s finished", thread.getName()).isFalse();
    }
    assertThat(errors).isEmpty();
  }

  @Test
  void concurrencyLimit_neverExceedsMaxAndEndsEmpty() throws Exception {
    ConcurrencyLimit limit = ConcurrencyLimit.of(3);
    AtomicInteger holders = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    AtomicLong grants = new AtomicLong();
    hammer(
        t -> {
          for (int i = 0; i < ITERATIONS; i++) {
            if (limit.tryAcquire()) {
              grants.incrementAndGet();
              peak.accumulateAndGet(holders.incrementAndGet(), Math::max);
              holders.decrementAndGet();
              limit.release();
            }
          }
        });
    assertThat(peak.get()).isBetween(1, 3);
    assertThat(grants.get()).isPositive();
    assertThat(limit.inFlight()).isZero();
  }

  @Test
  void circuitBreaker_halfOpenNeverGrantsMoreThanMaxTrials() throws Exception {
    CircuitBreaker breaker = halfOpenBreaker(3, Integer.MAX_VALUE);
    AtomicInteger trials = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    hammer(
        t -> {
          for (int i = 0; i < ITERATIONS; i++) {
            if (breaker.tryAcquirePermission()) {
              peak.accumulateAndGet(trials.incrementAndGet(), Math::max);
              trials.decrementAndGet();
              breaker.releasePermission();
            }
          }
        });
    assertThat(peak.get()).isBetween(1, 3);
    // Every slot came back: exactly three trials can be taken now.
    assertThat(breaker.state()).isEqualTo(CircuitState.HALF_OPEN);
    assertThat(breaker.tryAcquirePermission()).isTrue();
    assertThat(breaker.tryAcquirePermission()).isTrue();
    assertThat(breaker.tryAcquirePermission()).isTrue();
    assertThat(breaker.tryAcquirePermission()).isFalse();
  }

  @Test
  void circuitBreaker_opensExactlyOnceUnderConcurrentFailures() throws Exception {
    CircuitBreaker breaker = breaker(5, 3, 1);
    List<String> transitions = new CopyOnWriteArrayList<>();
    breaker.addListener((upstream, from, to) -> transitions.add(from.key() + "->" + to.key()));
    AtomicLong permitted = new AtomicLong();
    hammer(
        t -> {
          for (int i = 0; i < ITERATIONS; i++) {
            if (breaker.tryAcquirePermission()) {
              permitted.incrementAndGet();
              breaker.onFailure();
            } else {
              // Refused means open for good (frozen ticker): this is a late success, ignored.
              breaker.onSuccess();
            }
          }
        });
    assertThat(transitions).containsExactly("closed->open");
    assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
    assertThat(breaker.remainingOpenNanos()).isEqualTo(OPEN.toNanos());
    assertThat(permitted.get()).isGreaterThanOrEqualTo(5);
  }

  @Test
  void circuitBreaker_halfOpenClosesExactlyOnceUnderConcurrentSuccesses() throws Exception {
    CircuitBreaker breaker = halfOpenBreaker(4, 100);
    List<String> transitions = new CopyOnWriteArrayList<>();
    breaker.addListener((upstream, from, to) -> transitions.add(from.key() + "->" + to.key()));
    hammer(
        t -> {
          for (int i = 0; i < ITERATIONS; i++) {
            long permit = breaker.tryAcquirePermit();
            if (permit != CircuitBreaker.NO_PERMIT) {
              breaker.onSuccess(permit);
            }
          }
        });
    assertThat(transitions).containsExactly("half_open->closed");
    assertThat(breaker.describe()).containsEntry("state", "closed");
  }

  @Test
  void circuitBreaker_oneFailedTrialReopensOnceAndLateTrialsAreIgnored() throws Exception {
    CircuitBreaker breaker = halfOpenBreaker(4, Integer.MAX_VALUE);
    List<String> transitions = new CopyOnWriteArrayList<>();
    breaker.addListener((upstream, from, to) -> transitions.add(from.key() + "->" + to.key()));
    AtomicBoolean failed = new AtomicBoolean();
    hammer(
        t -> {
          for (int i = 0; i < ITERATIONS; i++) {
            long permit = breaker.tryAcquirePermit();
            if (permit == CircuitBreaker.NO_PERMIT) {
              continue;
            }
            if (t == 0 && i >= ITERATIONS / 2 && failed.compareAndSet(false, true)) {
              breaker.onFailure(permit);
            } else {
              breaker.onSuccess(permit);
            }
          }
        });
    // The ticker is frozen: once reopened it stays open, whatever trials finish afterwards.
    if (failed.get()) {
      assertThat(transitions).containsExactly("half_open->open");
      assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
      assertThat(breaker.remainingOpenNanos()).isEqualTo(OPEN.toNanos());
    } else {
      assertThat(transitions).isEmpty();
      assertThat(breaker.state()).isEqualTo(CircuitState.HALF_OPEN);
    }
  }

  @Test
  void outlierDetector_neverEjectsMoreThanItsShare() throws Exception {
    OutlierDetector detector =
        OutlierDetector.of(
            "users",
            new OutlierDetectionConfig(3, Duration.ofSeconds(30), Duration.ofSeconds(300), 20),
            ticker);
    List<String> endpoints = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      endpoints.add("10.0.0." + i + ":80");
    }
    detector.setEndpoints(endpoints);
    AtomicInteger ejectedEvents = new AtomicInteger();
    detector.addListener(
        new OutlierListener() {
          @Override
          public void onEjected(String upstream, String endpoint, long ejectionNanos) {
            ejectedEvents.incrementAndGet();
          }

          @Override
          public void onReturned(String upstream, String endpoint) {}
        });
    hammer(
        t -> {
          for (int i = 0; i < ITERATIONS; i++) {
            detector.onFailure(endpoints.get((t + i) % endpoints.size()));
          }
        });
    assertThat(ejectedEvents.get()).isEqualTo(2);
    assertThat(detector.ejectedCount()).isEqualTo(2);
    assertThat(endpoints.stream().filter(detector::isEjected).count()).isEqualTo(2);
  }

  @Test
  void retryBudget_grantsExactlyTheAllowance() throws Exception {
    RetryBudget budget = RetryBudget.of(new RetryBudgetConfig(0.5, 10), ticker);
    AtomicLong granted = new AtomicLong();
    hammer(
        t -> {
          for (int i = 0; i < 1_000; i++) {
            budget.onRequest();
          }
          for (int i = 0; i < ITERATIONS; i++) {
            if (budget.tryAcquireRetry()) {
              granted.incrementAndGet();
            }
          }
        });
    // After every thread finished: 8000 requests x 0.5 + 100; grants made earlier saw fewer
    // requests, so at most that many, and the remaining allowance can be drained exactly.
    long allowance = 8_000 / 2 + 100;
    assertThat(granted.get()).isLessThanOrEqualTo(allowance);
    while (budget.tryAcquireRetry()) {
      granted.incrementAndGet();
    }
    assertThat(granted.get()).isEqualTo(allowance);
    assertThat(budget.retriesInWindow()).isEqualTo(allowance);
  }

  private CircuitBreaker breaker(int failureThreshold, int halfOpenMax, int successThreshold) {
    FailureConditions failOn = new FailureConditions(true, true, true, true, Set.of());
    return CircuitBreaker.of(
        "users",
        new CircuitBreakerConfig(
            failureThreshold, successThreshold, OPEN, halfOpenMax, null, failOn),
        ticker);
  }

  private CircuitBreaker halfOpenBreaker(int halfOpenMax, int successThreshold) {
    CircuitBreaker breaker = breaker(1, halfOpenMax, successThreshold);
    assertThat(breaker.tryAcquirePermission()).isTrue();
    breaker.onFailure();
    ticker.advance(OPEN);
    assertThat(breaker.state()).isEqualTo(CircuitState.HALF_OPEN);
    return breaker;
  }
}
