package io.salve.proxy.shed;

import static io.salve.proxy.shed.ShedFixtures.BUSY;
import static io.salve.proxy.shed.ShedFixtures.CALM;
import static io.salve.proxy.shed.ShedFixtures.CRITICAL;
import static io.salve.proxy.shed.ShedFixtures.LISTENER;
import static io.salve.proxy.shed.ShedFixtures.MS;
import static io.salve.proxy.shed.ShedFixtures.NORMAL;
import static io.salve.proxy.shed.ShedFixtures.OVERLOADED;
import static io.salve.proxy.shed.ShedFixtures.RECOVER_AFTER;
import static io.salve.proxy.shed.ShedFixtures.SHEDDABLE;
import static org.assertj.core.api.Assertions.assertThat;

import io.salve.config.Criticality;
import io.salve.config.LoadSheddingConfig;
import io.salve.proxy.forward.AdmissionControl.Permit;
import io.salve.proxy.route.Route;
import io.salve.proxy.util.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LoadSheddingTest {
  private final FakeTicker ticker = new FakeTicker();
  private final AtomicReference<LoadSignals> fed = new AtomicReference<>(CALM);
  private final List<String> shed = new ArrayList<>();

  /** Signals come from {@link #fed}; the listener's limiter is {@code limiter}. */
  private LoadShedding shedding(LoadSheddingConfig config, AdaptiveLimiter limiter) {
    LoadShedding s =
        new LoadShedding(config, new RequestSignals(), fed::get, Map.of(LISTENER, limiter), null, ticker);
    s.addObserver((listener, route, reason) -> shed.add(listener + " " + route.name() + " " + reason.key()));
    return s;
  }

  private LoadShedding shedding() {
    return shedding(ShedFixtures.config(false, 20, 2000), UnlimitedLimiter.INSTANCE);
  }

  private LoadState evaluate(LoadShedding s, LoadSignals signals) {
    fed.set(signals);
    return s.evaluate();
  }

  @ParameterizedTest(name = "{0} {1} -> admitted {2}")
  @CsvSource({
    "HEALTHY, CRITICAL, true",
    "HEALTHY, NORMAL, true",
    "HEALTHY, SHEDDABLE, true",
    "DEGRADED, CRITICAL, true",
    "DEGRADED, NORMAL, true",
    "DEGRADED, SHEDDABLE, false",
    "FAILING, CRITICAL, true",
    "FAILING, NORMAL, false",
    "FAILING, SHEDDABLE, false",
  })
  void admitsByStateAndCriticality(LoadState state, Criticality criticality, boolean admitted) {
    LoadShedding s = shedding();
    LoadSignals signals = switch (state) {
      case HEALTHY -> CALM;
      case DEGRADED -> BUSY;
      case FAILING -> OVERLOADED;
    };
    assertThat(evaluate(s, signals)).isEqualTo(state);
    Route route = ShedFixtures.routeOf(criticality);

    Permit permit = s.tryAdmit(LISTENER, route);

    assertThat(permit != null).isEqualTo(admitted);
    assertThat(s.inflight()).isEqualTo(admitted ? 1 : 0);
    assertThat(shed).isEqualTo(admitted ? List.of() : List.of("egress " + route.name() + " load_state"));
  }

  @Test
  void recoversOneLevelPerRecoverAfterOfCalm() {
    LoadShedding s = shedding();
    assertThat(evaluate(s, OVERLOADED)).isEqualTo(LoadState.FAILING);

    assertThat(evaluate(s, CALM)).isEqualTo(LoadState.FAILING);
    ticker.advance(RECOVER_AFTER.minusMillis(1));
    assertThat(evaluate(s, CALM)).isEqualTo(LoadState.FAILING);
    assertThat(s.tryAdmit(LISTENER, NORMAL)).isNull();
    ticker.advance(Duration.ofMillis(1));
    assertThat(evaluate(s, CALM)).isEqualTo(LoadState.DEGRADED);
    assertThat(s.tryAdmit(LISTENER, NORMAL)).isNotNull();
    assertThat(s.tryAdmit(LISTENER, SHEDDABLE)).isNull();

    ticker.advance(RECOVER_AFTER);
    assertThat(evaluate(s, CALM)).isEqualTo(LoadState.HEALTHY);
    assertThat(s.tryAdmit(LISTENER, SHEDDABLE)).isNotNull();
  }

  @Test
  void aForcedStateOverridesTheSignalsUntilCleared() {
    LoadShedding s = shedding();
    s.stateMachine().force(LoadState.FAILING, Duration.ofSeconds(60));

    assertThat(evaluate(s, CALM)).isEqualTo(LoadState.FAILING);
    assertThat(s.tryAdmit(LISTENER, NORMAL)).isNull();
    assertThat(s.tryAdmit(LISTENER, CRITICAL)).isNotNull();

    s.stateMachine().clearForce();
    assertThat(s.tryAdmit(LISTENER, NORMAL)).isNotNull();
    assertThat(s.tryAdmit(LISTENER, SHEDDABLE)).isNotNull();
  }

  @Test
  void theConcurrencyLimitShedsLowerTiersFirst() {
    AdaptiveLimiter limiter = AdaptiveLimiter.of(ShedFixtures.config(true, 4, 4).adaptiveConcurrency(), ticker);
    LoadShedding s = shedding(ShedFixtures.config(true, 4, 4), limiter);

    List<Permit> held = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      held.add(s.tryAdmit(LISTENER, SHEDDABLE)); // inflight < 0.75 x 4
    }
    assertThat(held).doesNotContainNull();
    assertThat(s.tryAdmit(LISTENER, SHEDDABLE)).isNull();
    Permit fourth = s.tryAdmit(LISTENER, NORMAL); // 3 < 0.9 x 4
    assertThat(fourth).isNotNull();
    assertThat(s.tryAdmit(LISTENER, NORMAL)).isNull();
    assertThat(s.tryAdmit(LISTENER, CRITICAL)).isNull(); // 4 = limit
    assertThat(shed)
        .containsExactly(
            "egress report concurrency_limit", "egress browse concurrency_limit", "egress checkout concurrency_limit");
    assertThat(s.inflight()).isEqualTo(4);

    fourth.release(200, 5 * MS);
    assertThat(s.tryAdmit(LISTENER, CRITICAL)).isNotNull();
  }

  @Test
  void theLoadStateIsCheckedBeforeTheLimiter() {
    RecordingLimiter limiter = new RecordingLimiter();
    LoadShedding s = shedding(ShedFixtures.config(true, 20, 2000), limiter);
    evaluate(s, BUSY);

    assertThat(s.tryAdmit(LISTENER, SHEDDABLE)).isNull();

    assertThat(limiter.acquired).isZero();
    assertThat(shed).containsExactly("egress report load_state");
  }

  @ParameterizedTest(name = "status {0} -> {1}")
  @CsvSource({
    "200, success",
    "204, success",
    "304, success",
    "400, ignore",
    "404, ignore",
    "499, ignore",
    "500, ignore",
    "502, ignore",
    "503, dropped",
    "504, dropped",
  })
  void releaseTellsTheLimiterWhatTheOutcomeSaysAboutLoad(int status, String outcome) {
    RecordingLimiter limiter = new RecordingLimiter();
    LoadShedding s = shedding(ShedFixtures.config(true, 20, 2000), limiter);

    s.tryAdmit(LISTENER, NORMAL).release(status, 3 * MS);

    assertThat(limiter.outcomes).containsExactly(outcome);
  }

  @Test
  void onlyTheFirstReleaseCounts() {
    RecordingLimiter limiter = new RecordingLimiter();
    LoadShedding s = shedding(ShedFixtures.config(true, 20, 2000), limiter);
    Permit p = s.tryAdmit(LISTENER, CRITICAL);
    s.tryAdmit(LISTENER, CRITICAL);

    p.release(200, MS);
    p.release(500, MS);

    assertThat(s.inflight()).isEqualTo(1);
    assertThat(limiter.outcomes).containsExactly("success");
  }

  @Test
  void releasedPermitsFeedTheSignalsButShedRequestsDoNot() {
    RequestSignals requests = new RequestSignals();
    LoadShedding s =
        new LoadShedding(
            ShedFixtures.config(false, 20, 2000),
            requests,
            new SignalSampler(requests, null, null),
            Map.of(LISTENER, UnlimitedLimiter.INSTANCE),
            null,
            ticker);
    List<Permit> permits = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      permits.add(s.tryAdmit(LISTENER, CRITICAL));
    }

    assertThat(s.evaluate()).isEqualTo(LoadState.DEGRADED); // 5 in flight
    LoadSignals seen = s.stateMachine().lastSignals();
    assertThat(seen.inflight()).isEqualTo(5);
    assertThat(seen.errorRate()).isZero(); // nothing ended yet
    assertThat(seen.cpu()).isNaN();
    assertThat(seen.eventLoopDelayNanos()).isEqualTo(-1);
    for (int i = 0; i < 3; i++) {
      assertThat(s.tryAdmit(LISTENER, SHEDDABLE)).isNull(); // shed: never counted anywhere
    }

    permits.get(0).release(200, 10 * MS);
    permits.get(1).release(502, 20 * MS);
    permits.get(2).release(499, 30 * MS);
    permits.get(3).release(503, 400 * MS);
    s.evaluate();

    seen = s.stateMachine().lastSignals();
    assertThat(seen.inflight()).isEqualTo(1);
    assertThat(seen.errorRate()).isEqualTo(0.5); // 502 and 503 of four ended
    assertThat(seen.latencyP99Nanos()).isBetween(396 * MS, 404 * MS); // HdrHistogram, 2 digits

    s.evaluate();
    seen = s.stateMachine().lastSignals();
    assertThat(seen.errorRate()).isZero(); // a new interval
    assertThat(seen.latencyP99Nanos()).isZero();
  }

  @Test
  void anUnknownListenerIsNotLimited() {
    LoadShedding s = shedding(ShedFixtures.config(true, 1, 1), new RecordingLimiter());
    for (int i = 0; i < 10; i++) {
      assertThat(s.tryAdmit("other", SHEDDABLE)).isNotNull();
    }
  }

  @ParameterizedTest
  @CsvSource({"PT5S, 5", "PT1.5S, 2", "PT0.001S, 1", "PT0S, 0", "PT-1S, 0"})
  void retryAfterIsWholeSecondsRoundedUp(Duration retryAfter, long seconds) {
    assertThat(LoadShedding.retryAfterSeconds(retryAfter)).isEqualTo(seconds);
  }

  @Test
  void describeAddsLimitsPerListener() {
    AdaptiveLimiter limiter = AdaptiveLimiter.of(ShedFixtures.config(true, 7, 7).adaptiveConcurrency(), ticker);
    LoadShedding s = shedding(ShedFixtures.config(true, 7, 7), limiter);
    s.tryAdmit(LISTENER, CRITICAL);
    s.stateMachine().force(LoadState.DEGRADED, Duration.ofSeconds(60));

    Map<String, Object> doc = s.describe();

    assertThat(doc).containsEntry("state", "degraded").containsEntry("forced", true);
    assertThat(doc).containsEntry("inflightNow", 1).containsEntry("retryAfterSeconds", 3L);
    assertThat(doc.get("concurrencyLimits"))
        .isEqualTo(Map.of(LISTENER, Map.of("enabled", true, "limit", 7, "inflight", 1)));
  }

  /** Admits everything and records what each token heard. */
  private static final class RecordingLimiter implements AdaptiveLimiter {
    final List<String> outcomes = new ArrayList<>();
    int acquired;

    @Override
    public Optional<Token> tryAcquire(Criticality criticality) {
      acquired++;
      return Optional.of(
          new Token() {
            @Override
            public void onSuccess() {
              outcomes.add("success");
            }

            @Override
            public void onDropped() {
              outcomes.add("dropped");
            }

            @Override
            public void onIgnore() {
              outcomes.add("ignore");
            }
          });
    }

    @Override
    public int limit() {
      return 1000;
    }

    @Override
    public int inflight() {
      return acquired;
    }
  }
}
