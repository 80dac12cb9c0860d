package io.salve.proxy.coord;

import static io.salve.proxy.coord.RegistrationState.Action.NONE;
import static io.salve.proxy.coord.RegistrationState.Action.REGISTER;
import static io.salve.proxy.coord.RegistrationState.Action.RENEW;
import static io.salve.proxy.coord.RegistrationState.Action.REVOKE;
import static org.assertj.core.api.Assertions.assertThat;

import io.salve.proxy.util.FakeTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RegistrationStateTest {
  private final FakeTicker ticker = new FakeTicker();
  private final RegistrationState state = new RegistrationState(Duration.ofSeconds(3), ticker);

  private void registered(long id) {
    assertThat(state.next(true)).isEqualTo(REGISTER);
    state.sent();
    state.registered(id);
  }

  @Test
  void registersWhenWantedAndRenewsEveryThirdOfTheTtl() {
    assertThat(state.next(false)).isEqualTo(NONE);
    assertThat(state.next(true)).isEqualTo(REGISTER);
    state.sent();
    assertThat(state.next(true)).as("one call at a time").isEqualTo(NONE);
    state.registered(7);
    assertThat(state.leaseId()).isEqualTo(7);
    ticker.advance(Duration.ofMillis(999));
    assertThat(state.next(true)).isEqualTo(NONE);
    ticker.advance(Duration.ofMillis(1));
    assertThat(state.next(true)).isEqualTo(RENEW);
    state.sent();
    state.renewed();
    ticker.advance(Duration.ofMillis(999));
    assertThat(state.next(true)).isEqualTo(NONE);
  }

  @Test
  void revokesWhenNoLongerWantedAndRegistersAgainOnRecovery() {
    registered(7);
    assertThat(state.next(false)).isEqualTo(REVOKE);
    state.sent();
    state.revoked();
    assertThat(state.leaseId()).isZero();
    assertThat(state.next(false)).isEqualTo(NONE);
    assertThat(state.next(true)).isEqualTo(REGISTER);
  }

  @Test
  void aLeaseUnconfirmedForAWholeTtlIsPresumedGone() {
    registered(7);
    ticker.advance(Duration.ofSeconds(1));
    assertThat(state.next(true)).isEqualTo(RENEW);
    state.sent();
    state.failed(); // etcd did not answer
    ticker.advance(Duration.ofMillis(1999));
    assertThat(state.leaseId()).isEqualTo(7);
    ticker.advance(Duration.ofMillis(1));
    assertThat(state.next(true)).as("3s since the grant was sent: expired on etcd by now").isEqualTo(REGISTER);
    assertThat(state.leaseId()).isZero();
  }

  @Test
  void aLostLeaseIsRegisteredAgainAtOnce() {
    registered(7);
    ticker.advance(Duration.ofSeconds(1));
    assertThat(state.next(true)).isEqualTo(RENEW);
    state.sent();
    state.lost();
    assertThat(state.next(true)).isEqualTo(REGISTER);
  }

  @Test
  void failuresBackOffDoubling() {
    assertThat(state.next(true)).isEqualTo(REGISTER);
    state.sent();
    state.failed();
    ticker.advance(Duration.ofMillis(249));
    assertThat(state.next(true)).isEqualTo(NONE);
    ticker.advance(Duration.ofMillis(1));
    assertThat(state.next(true)).isEqualTo(REGISTER);
    state.sent();
    state.failed();
    ticker.advance(Duration.ofMillis(499));
    assertThat(state.next(true)).isEqualTo(NONE);
    ticker.advance(Duration.ofMillis(1));
    assertThat(state.next(true)).isEqualTo(REGISTER);
    state.sent();
    state.registered(9);
    assertThat(state.leaseId()).isEqualTo(9);
  }

  @Test
  void theLeaseLifeCountsFromWhenTheGrantWasSent() {
    assertThat(state.next(true)).isEqualTo(REGISTER);
    state.sent();
    ticker.advance(Duration.ofMillis(800)); // a slow answer
    state.registered(7);
    ticker.advance(Duration.ofMillis(200));
    assertThat(state.next(true)).as("a third of the ttl after sending, not after the answer").isEqualTo(RENEW);
  }
}
