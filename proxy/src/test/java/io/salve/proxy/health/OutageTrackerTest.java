package io.salve.proxy.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.salve.proxy.health.OutageTracker.Change;
import io.salve.proxy.util.FakeTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class OutageTrackerTest {

  private final FakeTicker ticker = new FakeTicker();
  private final OutageTracker tracker = new OutageTracker(ticker);

  @Test
  void startsUpAndStaysUpWhileAnyEndpointIsHealthy() {
    assertThat(tracker.isDown()).isFalse();
    assertThat(tracker.update(2, 2)).isEqualTo(Change.NONE);
    assertThat(tracker.update(1, 2)).isEqualTo(Change.NONE);
    assertThat(tracker.isDown()).isFalse();
    assertThat(tracker.currentOutageNanos()).isZero();
  }

  @Test
  void reportsAnOutageOnceAndItsRecoveryOnceWithItsDuration() {
    assertThat(tracker.update(0, 2)).isEqualTo(Change.OUTAGE_STARTED);
    assertThat(tracker.update(0, 2)).isEqualTo(Change.NONE);
    assertThat(tracker.isDown()).isTrue();
    ticker.advance(Duration.ofMillis(1500));
    assertThat(tracker.currentOutageNanos()).isEqualTo(Duration.ofMillis(1500).toNanos());

    assertThat(tracker.update(1, 2)).isEqualTo(Change.RECOVERED);
    assertThat(tracker.update(2, 2)).isEqualTo(Change.NONE);
    assertThat(tracker.isDown()).isFalse();
    assertThat(tracker.lastOutageNanos()).isEqualTo(Duration.ofMillis(1500).toNanos());
    assertThat(tracker.currentOutageNanos()).isZero();
  }

  @Test
  void anUpstreamWithoutEndpointsKeepsItsState() {
    assertThat(tracker.update(0, 0)).isEqualTo(Change.NONE);
    assertThat(tracker.isDown()).isFalse();

    tracker.update(0, 1);
    assertThat(tracker.update(0, 0)).isEqualTo(Change.NONE);
    assertThat(tracker.isDown()).as("no endpoints is no evidence of recovery").isTrue();
    assertThat(tracker.update(1, 1)).isEqualTo(Change.RECOVERED);
  }

  @Test
  void rejectsImpossibleCounts() {
    assertThatThrownBy(() -> tracker.update(3, 2)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> tracker.update(-1, 2)).isInstanceOf(IllegalArgumentException.class);
  }
}
