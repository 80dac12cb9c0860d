package io.salve.proxy.coord;

import static org.assertj.core.api.Assertions.assertThat;

import io.salve.proxy.util.FakeTicker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LeaseGuardTest {
  private final FakeTicker ticker = new FakeTicker();

  @Test
  void untrustedUntilEtcdConfirmsAGrant() {
    LeaseGuard guard = new LeaseGuard(Duration.ofSeconds(10), ticker);
    assertThat(guard.trusted()).isFalse();
    assertThat(guard.nanosUntilDistrust()).isZero();
  }

  @Test
  void stepsDownAMarginBeforeTheEarliestExpiryMeasuredFromWhenTheRenewalWasSent() {
    LeaseGuard guard = new LeaseGuard(Duration.ofSeconds(10), ticker);
    long sent = ticker.nanos();
    ticker.advance(Duration.ofSeconds(1)); // the answer arrives a second later: the lease counts from `sent`
    guard.renewed(sent);
    // margin for 10s is 2.5s: trusted until sent + 7.5s
    ticker.advance(Duration.ofMillis(6499));
    assertThat(guard.trusted()).isTrue();
    assertThat(guard.nanosUntilDistrust()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(1));
    ticker.advance(Duration.ofMillis(1));
    assertThat(guard.trusted()).isFalse();
    assertThat(guard.nanosUntilDistrust()).isZero();
  }

  @Test
  void aLateAnswerToAnOlderRenewalDoesNotMoveTheDeadlineBack() {
    LeaseGuard guard = new LeaseGuard(Duration.ofSeconds(3), ticker);
    long first = ticker.nanos();
    ticker.advance(Duration.ofMillis(800));
    long second = ticker.nanos();
    guard.renewed(second);
    guard.renewed(first); // answered out of order
    ticker.advance(Duration.ofMillis(2200 - 1)); // margin for 3s is 750ms: trusted for 2250ms after `second`
    assertThat(guard.trusted()).isTrue();
    ticker.advance(Duration.ofMillis(51));
    assertThat(guard.trusted()).isFalse();
  }

  @Test
  void renewalRestoresTrust() {
    LeaseGuard guard = new LeaseGuard(Duration.ofSeconds(2), ticker);
    guard.renewed(ticker.nanos());
    ticker.advance(Duration.ofMillis(1600));
    assertThat(guard.trusted()).isFalse();
    guard.renewed(ticker.nanos());
    assertThat(guard.trusted()).isTrue();
  }

  @Test
  void marginIsAQuarterOfTheTtlAtLeastHalfASecondAndAtMostHalfTheTtl() {
    assertThat(LeaseGuard.margin(Duration.ofSeconds(10))).isEqualTo(Duration.ofMillis(2500));
    assertThat(LeaseGuard.margin(Duration.ofSeconds(2))).isEqualTo(Duration.ofMillis(500));
    assertThat(LeaseGuard.margin(Duration.ofSeconds(1))).isEqualTo(Duration.ofMillis(500));
    assertThat(LeaseGuard.margin(Duration.ofSeconds(60))).isEqualTo(Duration.ofSeconds(15));
  }
}
