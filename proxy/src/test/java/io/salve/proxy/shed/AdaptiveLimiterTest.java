package io.salve.proxy.shed;

import static io.salve.config.Criticality.CRITICAL;
import static io.salve.config.Criticality.NORMAL;
import static io.salve.config.Criticality.SHEDDABLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.netflix.concurrency.limits.Limit;
import io.salve.config.AdaptiveConcurrencyConfig;
import io.salve.config.Criticality;
import io.salve.proxy.shed.AdaptiveLimiter.Token;
import io.salve.proxy.util.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AdaptiveLimiterTest {
  private final FakeTicker ticker = new FakeTicker();

  private AdaptiveLimiter enabled(int min, int max) {
    return AdaptiveLimiter.of(new AdaptiveConcurrencyConfig(true, min, max), ticker);
  }

  /** Acquires with {@code c} until refused. */
  private static List<Token> fill(AdaptiveLimiter limiter, Criticality c) {
    List<Token> tokens = new ArrayList<>();
    for (Optional<Token> t = limiter.tryAcquire(c); t.isPresent(); t = limiter.tryAcquire(c)) {
      tokens.add(t.get());
    }
    return tokens;
  }

  @Test
  void admitsInCriticalityOrderUnderAPinnedLimit() {
    AdaptiveLimiter limiter = enabled(20, 20);
    assertThat(limiter.limit()).isEqualTo(20);

    assertThat(fill(limiter, SHEDDABLE)).hasSize(15); // inflight < 0.75 x 20
    assertThat(limiter.tryAcquire(SHEDDABLE)).isEmpty();
    assertThat(fill(limiter, NORMAL)).hasSize(3); // inflight < 0.9 x 20
    assertThat(limiter.tryAcquire(NORMAL)).isEmpty();
    List<Token> critical = fill(limiter, CRITICAL); // inflight < 20
    assertThat(critical).hasSize(2);
    assertThat(limiter.inflight()).isEqualTo(20);
    assertThat(limiter.tryAcquire(CRITICAL)).isEmpty();

    critical.get(0).onIgnore();
    assertThat(limiter.tryAcquire(SHEDDABLE)).isEmpty();
    assertThat(limiter.tryAcquire(NORMAL)).isEmpty();
    assertThat(limiter.tryAcquire(CRITICAL)).isPresent();
  }

  @Test
  void criticalTrafficAloneMayUseTheWholeLimit() {
    AdaptiveLimiter limiter = enabled(20, 20);
    assertThat(fill(limiter, CRITICAL)).hasSize(20);
    assertThat(limiter.tryAcquire(SHEDDABLE)).isEmpty();
  }

  @ParameterizedTest(name = "{0} with {1} in flight under 100: {2}")
  @CsvSource({
    "SHEDDABLE, 74, true",
    "SHEDDABLE, 75, false",
    "NORMAL, 89, true",
    "NORMAL, 90, false",
    "CRITICAL, 99, true",
    "CRITICAL, 100, false",
  })
  void admissionShares(Criticality c, int inflight, boolean admitted) {
    assertThat(GradientLimiter.admits(c, inflight, 100)).isEqualTo(admitted);
  }

  @Test
  void sharesRoundDownOnSmallLimits() {
    // 0.75 x 3 = 2.25, 0.9 x 3 = 2.7
    assertThat(GradientLimiter.admits(SHEDDABLE, 2, 3)).isTrue();
    assertThat(GradientLimiter.admits(SHEDDABLE, 3, 3)).isFalse();
    assertThat(GradientLimiter.admits(NORMAL, 2, 3)).isTrue();
    assertThat(GradientLimiter.admits(CRITICAL, 2, 3)).isTrue();
    // With a limit of 1 only critical requests get the slot.
    assertThat(GradientLimiter.admits(SHEDDABLE, 0, 1)).isTrue();
    assertThat(GradientLimiter.admits(SHEDDABLE, 1, 1)).isFalse();
  }

  @Test
  void disabledLimiterAlwaysAdmits() {
    AdaptiveLimiter limiter =
        AdaptiveLimiter.of(new AdaptiveConcurrencyConfig(false, 1, 1), ticker);
    for (int i = 0; i < 10_000; i++) {
      assertThat(limiter.tryAcquire(SHEDDABLE)).isPresent();
    }
    assertThat(limiter.limit()).isEqualTo(Integer.MAX_VALUE);
    assertThat(limiter.inflight()).isZero();
    Token token = limiter.tryAcquire(NORMAL).orElseThrow();
    token.onSuccess();
    token.onDropped();
    token.onIgnore();
    assertThat(limiter.inflight()).isZero();
  }

  @Test
  void initialLimitIsOneHundredWithinBounds() {
    assertThat(enabled(20, 2000).limit()).isEqualTo(100);
    assertThat(enabled(150, 2000).limit()).isEqualTo(150);
    assertThat(enabled(1, 50).limit()).isEqualTo(50);
  }

  @Test
  void rejectsInvalidBounds() {
    assertThatThrownBy(() -> enabled(0, 10)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> enabled(20, 10)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void tokensReleaseInflightExactlyOnce() {
    AdaptiveLimiter limiter = enabled(20, 20);
    Token a = limiter.tryAcquire(NORMAL).orElseThrow();
    Token b = limiter.tryAcquire(NORMAL).orElseThrow();
    Token c = limiter.tryAcquire(NORMAL).orElseThrow();
    assertThat(limiter.inflight()).isEqualTo(3);

    a.onSuccess();
    a.onSuccess();
    a.onDropped();
    a.onIgnore();
    assertThat(limiter.inflight()).isEqualTo(2);
    b.onDropped();
    b.onSuccess();
    assertThat(limiter.inflight()).isEqualTo(1);
    c.onIgnore();
    c.onIgnore();
    assertThat(limiter.inflight()).isZero();
  }

  @Test
  void tokensFeedTheLimitOneSampleEach() {
    RecordingLimit limit = new RecordingLimit(10);
    GradientLimiter limiter = new GradientLimiter(limit, ticker);
    Token ok = limiter.tryAcquire(CRITICAL).orElseThrow();
    Token timedOut = limiter.tryAcquire(CRITICAL).orElseThrow();
    Token ignored = limiter.tryAcquire(CRITICAL).orElseThrow();
    long start = ticker.nanos();

    ticker.advance(Duration.ofMillis(20));
    ok.onSuccess();
    ok.onSuccess();
    ticker.advance(Duration.ofMillis(30));
    timedOut.onDropped();
    ignored.onIgnore();

    assertThat(limit.samples)
        .containsExactly(
            new Sample(start, 20_000_000L, 1, false), new Sample(start, 50_000_000L, 2, true));
  }

  @Test
  void aZeroRoundTripIsSampledAsOneNanosecond() {
    RecordingLimit limit = new RecordingLimit(10);
    GradientLimiter limiter = new GradientLimiter(limit, ticker);
    limiter.tryAcquire(CRITICAL).orElseThrow().onSuccess();
    assertThat(limit.samples).extracting(Sample::rtt).containsExactly(1L);
  }

  @Test
  void zeroRoundTripsDoNotCollapseTheGradientLimit() {
    AdaptiveLimiter limiter = enabled(20, 100);
    for (int round = 0; round < 5; round++) {
      fill(limiter, CRITICAL).forEach(Token::onSuccess);
    }
    assertThat(limiter.limit()).isBetween(20, 100);
  }

  @Test
  void risingLatencyUnderLoadLowersTheLimit() {
    AdaptiveLimiter limiter = enabled(10, 100);
    assertThat(limiter.limit()).isEqualTo(100);
    runRound(limiter, Duration.ofMillis(10));
    for (int round = 0; round < 5; round++) {
      runRound(limiter, Duration.ofMillis(200));
    }
    assertThat(limiter.limit()).isLessThan(100).isGreaterThanOrEqualTo(10);
  }

  @Test
  void steadyLatencyAtTheLimitRaisesIt() {
    AdaptiveLimiter limiter = enabled(10, 1000);
    assertThat(limiter.limit()).isEqualTo(100);
    for (int round = 0; round < 3; round++) {
      runRound(limiter, Duration.ofMillis(10));
    }
    assertThat(limiter.limit()).isGreaterThan(100);
  }

  /** Fills the limit with critical requests, lets {@code rtt} pass, completes them all. */
  private void runRound(AdaptiveLimiter limiter, Duration rtt) {
    List<Token> tokens = fill(limiter, CRITICAL);
    ticker.advance(rtt);
    tokens.forEach(Token::onSuccess);
    assertThat(limiter.inflight()).isZero();
  }

  @Test
  void concurrentAcquireAndReleaseNeverExceedTheLimitAndBalance() throws InterruptedException {
    RecordingLimit limit = new RecordingLimit(20);
    GradientLimiter limiter = new GradientLimiter(limit, ticker);
    int threads = 4;
    int perThread = 10_000;
    CountDownLatch start = new CountDownLatch(1);
    AtomicBoolean exceeded = new AtomicBoolean();
    List<Thread> workers = new ArrayList<>();
    int[] admitted = new int[threads];
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread worker =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
                Criticality[] tiers = Criticality.values();
                for (int i = 0; i < perThread; i++) {
                  Optional<Token> token = limiter.tryAcquire(tiers[i % tiers.length]);
                  if (token.isPresent()) {
                    admitted[id]++;
                    if (limiter.inflight() > 20) {
                      exceeded.set(true);
                    }
                    token.get().onSuccess();
                  }
                }
              });
      worker.start();
      workers.add(worker);
    }
    start.countDown();
    for (Thread worker : workers) {
      worker.join();
    }
    int total = 0;
    for (int n : admitted) {
      total += n;
    }
    assertThat(exceeded).isFalse();
    assertThat(limiter.inflight()).isZero();
    assertThat(limit.samples).hasSize(total);
    assertThat(limit.overlapped).as("onSample called concurrently").isFalse();
  }

  record Sample(long start, long rtt, int inflight, boolean dropped) {}

  /** A fixed limit that records what it is fed, and whether it was ever fed concurrently. */
  private static final class RecordingLimit implements Limit {
    final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
    final AtomicBoolean overlapped = new AtomicBoolean();
    private final AtomicInteger feeding = new AtomicInteger();
    private final int limit;

    RecordingLimit(int limit) {
      this.limit = limit;
    }

    @Override
    public int getLimit() {
      return limit;
    }

    @Override
    public void notifyOnChange(Consumer<Integer> consumer) {}

    @Override
    public void onSample(long startTime, long rtt, int inflight, boolean didDrop) {
      if (feeding.incrementAndGet() != 1) {
        overlapped.set(true);
      }
      samples.add(new Sample(startTime, rtt, inflight, didDrop));
      feeding.decrementAndGet();
    }
  }
}
