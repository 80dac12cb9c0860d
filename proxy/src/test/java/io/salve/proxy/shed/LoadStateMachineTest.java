package io.salve.proxy.shed;

import static io.salve.proxy.shed.LoadState.DEGRADED;
import static io.salve.proxy.shed.LoadState.FAILING;
import static io.salve.proxy.shed.LoadState.HEALTHY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.salve.config.AdaptiveConcurrencyConfig;
import io.salve.config.LoadSheddingConfig;
import io.salve.config.LoadThresholds;
import io.salve.proxy.util.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LoadStateMachineTest {
  private static final Duration RECOVER_AFTER = Duration.ofSeconds(10);
  private static final long MS = 1_000_000L;

  private static final LoadThresholds DEGRADED_WHEN =
      new LoadThresholds(500, Duration.ofMillis(500), 0.8, 0.85, Duration.ofMillis(100), 0.1);
  private static final LoadThresholds FAILING_WHEN =
      new LoadThresholds(1000, Duration.ofSeconds(2), 0.95, 0.95, Duration.ofMillis(500), 0.5);

  /** Below every threshold. */
  private static final LoadSignals CALM = new LoadSignals(10, 5 * MS, 0.1, 0.2, MS, 0.0);
  /** Crosses degradedWhen (inflight) only. */
  private static final LoadSignals BUSY = new LoadSignals(600, 5 * MS, 0.1, 0.2, MS, 0.0);
  /** Crosses failingWhen (inflight) and degradedWhen. */
  private static final LoadSignals OVERLOADED = new LoadSignals(1200, 5 * MS, 0.1, 0.2, MS, 0.0);

  private final FakeTicker ticker = new FakeTicker();
  private final List<String> transitions = new ArrayList<>();
  private LoadStateMachine machine;

  @BeforeEach
  void setUp() {
    machine = machine(DEGRADED_WHEN, FAILING_WHEN, RECOVER_AFTER);
  }

  private LoadStateMachine machine(LoadThresholds degraded, LoadThresholds failing, Duration recover) {
    LoadSheddingConfig config =
        new LoadSheddingConfig(
            Duration.ofSeconds(1),
            degraded,
            failing,
            recover,
            Duration.ofSeconds(5),
            new AdaptiveConcurrencyConfig(false, 20, 2000));
    LoadStateMachine m = new LoadStateMachine(config, ticker);
    m.addListener((from, to, cause) -> transitions.add(from + "->" + to + ": " + cause));
    return m;
  }

  private LoadState after(Duration d, LoadSignals s) {
    ticker.advance(d);
    return machine.evaluate(s);
  }

  @Test
  void startsHealthyWithUnknownSignals() {
    assertThat(machine.state()).isEqualTo(HEALTHY);
    assertThat(machine.forced()).isFalse();
    assertThat(machine.lastSignals()).isEqualTo(LoadSignals.unknown());
    assertThat(machine.lastChangeNanos()).isEqualTo(ticker.nanos());
    assertThat(machine.cause()).isEqualTo("no signal crossed");
  }

  @Test
  void calmSignalsStayHealthy() {
    for (int i = 0; i < 100; i++) {
      assertThat(after(Duration.ofSeconds(1), CALM)).isEqualTo(HEALTHY);
    }
    assertThat(transitions).isEmpty();
    assertThat(machine.lastSignals()).isEqualTo(CALM);
  }

  static Stream<Arguments> eachDegradedSignal() {
    return Stream.of(
        Arguments.of(new LoadSignals(500, 5 * MS, 0.1, 0.2, MS, 0.0), "inflight 500 >= 500"),
        Arguments.of(
            new LoadSignals(10, 612 * MS, 0.1, 0.2, MS, 0.0), "latencyP99 612ms >= 500ms"),
        Arguments.of(new LoadSignals(10, 5 * MS, 0.8, 0.2, MS, 0.0), "cpu 0.8 >= 0.8"),
        Arguments.of(new LoadSignals(10, 5 * MS, 0.1, 0.9, MS, 0.0), "heap 0.9 >= 0.85"),
        Arguments.of(
            new LoadSignals(10, 5 * MS, 0.1, 0.2, 150 * MS, 0.0), "eventLoopDelay 150ms >= 100ms"),
        Arguments.of(new LoadSignals(10, 5 * MS, 0.1, 0.2, MS, 0.25), "errorRate 0.25 >= 0.1"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("eachDegradedSignal")
  void eachDegradedSignalDegradesImmediately(LoadSignals signals, String cause) {
    assertThat(after(Duration.ofSeconds(1), signals)).isEqualTo(DEGRADED);
    assertThat(machine.state()).isEqualTo(DEGRADED);
    assertThat(machine.cause()).isEqualTo(cause);
    assertThat(machine.lastChangeNanos()).isEqualTo(ticker.nanos());
    assertThat(transitions).containsExactly("HEALTHY->DEGRADED: " + cause);
  }

  @Test
  void justBelowEveryDegradedThresholdStaysHealthy() {
    LoadSignals below = new LoadSignals(499, 500 * MS - 1, 0.799, 0.849, 100 * MS - 1, 0.099);
    assertThat(after(Duration.ofSeconds(1), below)).isEqualTo(HEALTHY);
  }

  @Test
  void unknownValuesNeverCross() {
    LoadThresholds zero = new LoadThresholds(0, Duration.ZERO, 0.0, 0.0, Duration.ZERO, 0.0);
    machine = machine(zero, zero, RECOVER_AFTER);
    assertThat(machine.evaluate(LoadSignals.unknown())).isEqualTo(HEALTHY);
    assertThat(machine.evaluate(new LoadSignals(-1, -1, Double.NaN, Double.NaN, -1, 0.0)))
        .isEqualTo(FAILING);
    assertThat(machine.cause()).isEqualTo("errorRate 0 >= 0");
  }

  @Test
  void nullThresholdsAreNotChecked() {
    machine = machine(LoadThresholds.none(), null, RECOVER_AFTER);
    LoadSignals extreme = new LoadSignals(1_000_000, 3_600_000 * MS, 1.0, 1.0, 60_000 * MS, 1.0);
    assertThat(after(Duration.ofSeconds(1), extreme)).isEqualTo(HEALTHY);
    assertThat(transitions).isEmpty();
  }

  @Test
  void healthyToFailingImmediatelySkippingDegraded() {
    assertThat(after(Duration.ofSeconds(1), OVERLOADED)).isEqualTo(FAILING);
    assertThat(transitions).containsExactly("HEALTHY->FAILING: inflight 1200 >= 1000");
  }

  @Test
  void degradedToFailingImmediately() {
    after(Duration.ofSeconds(1), BUSY);
    LoadSignals slow = new LoadSignals(600, 2500 * MS, 0.1, 0.2, MS, 0.0);
    assertThat(after(Duration.ofSeconds(1), slow)).isEqualTo(FAILING);
    assertThat(transitions)
        .containsExactly(
            "HEALTHY->DEGRADED: inflight 600 >= 500",
            "DEGRADED->FAILING: latencyP99 2500ms >= 2000ms");
  }

  @Test
  void causeNamesEveryCrossedSignal() {
    after(Duration.ofSeconds(1), new LoadSignals(600, 5 * MS, 0.9, 0.2, MS, 0.2));
    assertThat(machine.cause()).isEqualTo("inflight 600 >= 500, cpu 0.9 >= 0.8, errorRate 0.2 >= 0.1");
  }

  @Test
  void degradedStepsDownExactlyAtRecoverAfter() {
    after(Duration.ofSeconds(1), BUSY);
    assertThat(after(Duration.ofSeconds(1), CALM)).isEqualTo(DEGRADED); // calm clock starts here
    assertThat(after(Duration.ofSeconds(9), CALM)).isEqualTo(DEGRADED);
    assertThat(after(Duration.ofNanos(999_999_999), CALM)).isEqualTo(DEGRADED);
    assertThat(after(Duration.ofNanos(1), CALM)).isEqualTo(HEALTHY);
    assertThat(transitions)
        .containsExactly(
            "HEALTHY->DEGRADED: inflight 600 >= 500",
            "DEGRADED->HEALTHY: degraded signals below thresholds for 10000ms");
  }

  @Test
  void dippingBelowThenBackAboveKeepsStateAndRestartsCalmClock() {
    after(Duration.ofSeconds(1), BUSY);
    after(Duration.ofSeconds(1), CALM); // calm since t
    after(Duration.ofSeconds(8), CALM);
    assertThat(after(Duration.ofSeconds(1), BUSY)).isEqualTo(DEGRADED); // resets at t+9s
    // Had the clock not reset, this would be t+10s of "calm".
    assertThat(after(Duration.ofSeconds(1), CALM)).isEqualTo(DEGRADED); // calm again since t+10s
    assertThat(after(Duration.ofSeconds(9), CALM)).isEqualTo(DEGRADED);
    assertThat(after(Duration.ofSeconds(1), CALM)).isEqualTo(HEALTHY);
    assertThat(transitions).hasSize(2);
  }

  @Test
  void failingStepsDownOneLevelAtATime() {
    after(Duration.ofSeconds(1), OVERLOADED);
    assertThat(after(Duration.ofSeconds(1), CALM)).isEqualTo(FAILING); // calm since t
    assertThat(after(Duration.ofSeconds(10), CALM)).isEqualTo(DEGRADED); // not HEALTHY
    // DEGRADED needs its own recoverAfter, counted from entering it.
    assertThat(after(Duration.ofSeconds(1), CALM)).isEqualTo(DEGRADED);
    assertThat(after(Duration.ofSeconds(8), CALM)).isEqualTo(DEGRADED);
    assertThat(after(Duration.ofSeconds(1), CALM)).isEqualTo(HEALTHY);
    assertThat(transitions)
        .containsExactly(
            "HEALTHY->FAILING: inflight 1200 >= 1000",
            "FAILING->DEGRADED: failing signals below thresholds for 10000ms",
            "DEGRADED->HEALTHY: degraded signals below thresholds for 10000ms");
  }

  @Test
  void failingRecoversOnItsOwnSignalsEvenWhileDegradedSignalsCross() {
    after(Duration.ofSeconds(1), OVERLOADED);
    after(Duration.ofSeconds(1), BUSY); // below failingWhen: calm for FAILING
    assertThat(after(Duration.ofSeconds(10), BUSY)).isEqualTo(DEGRADED);
    // DEGRADED's own signals still cross, so its calm clock does not run.
    assertThat(after(Duration.ofSeconds(30), BUSY)).isEqualTo(DEGRADED);
    assertThat(after(Duration.ofSeconds(1), CALM)).isEqualTo(DEGRADED);
    assertThat(after(Duration.ofSeconds(10), CALM)).isEqualTo(HEALTHY);
  }

  @Test
  void failingCrossedAgainResetsItsCalmClock() {
    after(Duration.ofSeconds(1), OVERLOADED);
    after(Duration.ofSeconds(1), CALM);
    after(Duration.ofSeconds(9), OVERLOADED);
    assertThat(after(Duration.ofSeconds(1), CALM)).isEqualTo(FAILING);
    assertThat(after(Duration.ofSeconds(9), CALM)).isEqualTo(FAILING);
    assertThat(after(Duration.ofSeconds(1), CALM)).isEqualTo(DEGRADED);
  }

  @Test
  void zeroRecoverAfterStillStepsOneLevelPerEvaluation() {
    machine = machine(DEGRADED_WHEN, FAILING_WHEN, Duration.ZERO);
    machine.evaluate(OVERLOADED);
    assertThat(machine.evaluate(CALM)).isEqualTo(DEGRADED);
    assertThat(machine.evaluate(CALM)).isEqualTo(HEALTHY);
  }

  @Test
  void forcedStateOverridesEvaluationUntilItExpiresByTheTicker() {
    machine.force(FAILING, Duration.ofSeconds(30));
    assertThat(machine.state()).isEqualTo(FAILING);
    assertThat(machine.forced()).isTrue();
    assertThat(machine.cause()).isEqualTo("forced failing for 30000ms");
    assertThat(after(Duration.ofSeconds(10), CALM)).isEqualTo(FAILING);
    assertThat(machine.automaticState()).isEqualTo(HEALTHY);

    ticker.advance(Duration.ofNanos(Duration.ofSeconds(20).toNanos() - 1));
    assertThat(machine.state()).isEqualTo(FAILING);
    ticker.advance(Duration.ofNanos(1));
    // Expired: visible at once, announced at the next evaluation.
    assertThat(machine.state()).isEqualTo(HEALTHY);
    assertThat(machine.forced()).isFalse();
    assertThat(machine.evaluate(CALM)).isEqualTo(HEALTHY);
    machine.evaluate(CALM);

    assertThat(transitions)
        .containsExactly(
            "HEALTHY->FAILING: forced failing for 30000ms",
            "FAILING->HEALTHY: force expired; no signal crossed");
  }

  @Test
  void automaticEvaluationContinuesUnderAForce() {
    after(Duration.ofSeconds(1), BUSY);
    machine.force(FAILING, Duration.ofSeconds(20));
    after(Duration.ofSeconds(1), CALM); // automatic DEGRADED starts its calm clock
    after(Duration.ofSeconds(10), CALM); // automatic HEALTHY, still forced FAILING
    assertThat(machine.state()).isEqualTo(FAILING);
    assertThat(machine.automaticState()).isEqualTo(HEALTHY);
    assertThat(after(Duration.ofSeconds(10), CALM)).isEqualTo(HEALTHY);
    assertThat(transitions)
        .containsExactly(
            "HEALTHY->DEGRADED: inflight 600 >= 500",
            "DEGRADED->FAILING: forced failing for 20000ms",
            "FAILING->HEALTHY: force expired; degraded signals below thresholds for 10000ms");
  }

  @Test
  void clearForceResumesFromTheCurrentAutomaticState() {
    machine.force(HEALTHY, Duration.ofMinutes(5));
    assertThat(after(Duration.ofSeconds(1), BUSY)).isEqualTo(HEALTHY);
    assertThat(machine.automaticState()).isEqualTo(DEGRADED);
    assertThat(transitions).isEmpty(); // forcing the current state is no transition

    machine.clearForce();
    assertThat(machine.state()).isEqualTo(DEGRADED);
    assertThat(machine.forced()).isFalse();
    assertThat(transitions).containsExactly("HEALTHY->DEGRADED: force cleared; inflight 600 >= 500");

    // Hysteresis carries on from the automatic state's own history.
    after(Duration.ofSeconds(1), CALM);
    assertThat(after(Duration.ofSeconds(10), CALM)).isEqualTo(HEALTHY);
  }

  @Test
  void clearForceWithoutForceDoesNothing() {
    machine.clearForce();
    assertThat(machine.state()).isEqualTo(HEALTHY);
    assertThat(transitions).isEmpty();
  }

  @Test
  void reForcingReplacesTheEarlierForce() {
    machine.force(FAILING, Duration.ofSeconds(30));
    machine.force(DEGRADED, Duration.ofSeconds(5));
    ticker.advance(Duration.ofSeconds(5));
    assertThat(machine.state()).isEqualTo(HEALTHY);
    machine.evaluate(CALM);
    assertThat(transitions)
        .containsExactly(
            "HEALTHY->FAILING: forced failing for 30000ms",
            "FAILING->DEGRADED: forced degraded for 5000ms",
            "DEGRADED->HEALTHY: force expired; no signal crossed");
  }

  @Test
  void forceNeedsAPositiveDuration() {
    assertThatThrownBy(() -> machine.force(FAILING, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> machine.force(FAILING, Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(machine.forced()).isFalse();
  }

  @Test
  void hugeForceDurationDoesNotOverflow() {
    machine.force(DEGRADED, Duration.ofDays(365L * 10_000));
    ticker.advance(Duration.ofDays(365));
    assertThat(machine.state()).isEqualTo(DEGRADED);
  }

  @Test
  void everyListenerHearsEachTransitionExactlyOnceDespiteAFailingOne() {
    List<LoadState> second = new ArrayList<>();
    machine.addListener(
        (from, to, cause) -> {
          throw new IllegalStateException("broken listener");
        });
    machine.addListener((from, to, cause) -> second.add(to));
    after(Duration.ofSeconds(1), BUSY);
    after(Duration.ofSeconds(1), BUSY);
    after(Duration.ofSeconds(1), OVERLOADED);
    after(Duration.ofSeconds(1), OVERLOADED);
    after(Duration.ofSeconds(1), CALM);
    after(Duration.ofSeconds(10), CALM);
    after(Duration.ofSeconds(10), CALM);
    after(Duration.ofSeconds(10), CALM);
    assertThat(second).containsExactly(DEGRADED, FAILING, DEGRADED, HEALTHY);
    assertThat(transitions).hasSize(4);
  }

  @Test
  void describeReportsStateForceAndSignals() {
    after(Duration.ofSeconds(1), new LoadSignals(600, 250 * MS, Double.NaN, 0.5, -1, 0.0));
    machine.force(FAILING, Duration.ofSeconds(30));
    ticker.advance(Duration.ofSeconds(4));

    Map<String, Object> d = machine.describe();
    assertThat(d)
        .containsEntry("state", "failing")
        .containsEntry("automaticState", "degraded")
        .containsEntry("forced", true)
        .containsEntry("forcedRemainingMillis", 26_000L)
        .containsEntry("lastChangeMillisAgo", 4_000L)
        .containsEntry("cause", "forced failing for 30000ms");
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> signals = (Map<String, Map<String, Object>>) d.get("signals");
    assertThat(signals)
        .containsOnlyKeys("inflight", "latencyP99", "cpu", "heap", "eventLoopDelay", "errorRate");
    assertThat(signals.get("inflight"))
        .containsEntry("value", 600L)
        .containsEntry("degradedThreshold", 500L)
        .containsEntry("failingThreshold", 1000L);
    assertThat(signals.get("latencyP99"))
        .containsEntry("value", 250.0)
        .containsEntry("degradedThreshold", 500.0)
        .containsEntry("failingThreshold", 2000.0)
        .containsEntry("unit", "ms");
    assertThat(signals.get("cpu")).containsEntry("value", null);
    assertThat(signals.get("eventLoopDelay")).containsEntry("value", null);
  }

  @Test
  void describeWithoutForceOrThresholds() {
    machine = machine(LoadThresholds.none(), LoadThresholds.none(), RECOVER_AFTER);
    ticker.advance(Duration.ofMillis(1500));
    Map<String, Object> d = machine.describe();
    assertThat(d)
        .containsEntry("state", "healthy")
        .containsEntry("forced", false)
        .doesNotContainKey("forcedRemainingMillis")
        .containsEntry("lastChangeMillisAgo", 1500L);
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> signals = (Map<String, Map<String, Object>>) d.get("signals");
    assertThat(signals.get("heap"))
        .containsEntry("degradedThreshold", null)
        .containsEntry("failingThreshold", null);
  }
}
