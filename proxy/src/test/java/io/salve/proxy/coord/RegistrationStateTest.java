package io.salve.proxy.coord;

import static io.salve.proxy.coord.RegistrationState.Action.NONE;
import static io.salve.proxy.coord.RegistrationState.Action.REGISTER;
import static io.salve.proxy.coord.RegistrationState.Action.REVOKE;
import static org.assertj.core.api.Assertions.assertThat;

import io.salve.proxy.util.FakeTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RegistrationStateTest {
  private final FakeTicker ticker = new FakeTicker();
  private final RegistrationState state = new RegistrationState(ticker);

  @Test
  void registersOnlyWhenWantedAndNotRegistered() {
    assertThat(state.next(false, false)).isEqualTo(NONE);
    assertThat(state.next(true, true)).isEqualTo(NONE);
    assertThat(state.next(true, false)).isEqualTo(REGISTER);
    state.sent();
    assertThat(state.next(true, false)).as("one call at a time").isEqualTo(NONE);
    assertThat(state.next(false, true)).as("even a revocation waits for the call in flight").isEqualTo(NONE);
    state.succeeded();
    assertThat(state.next(true, true)).isEqualTo(NONE);
  }

  @Test
  void revokesWhenNoLongerWantedAndRegistersAgainOnRecovery() {
    assertThat(state.next(false, true)).isEqualTo(REVOKE);
    state.sent();
    state.succeeded();
    assertThat(state.next(false, false)).isEqualTo(NONE);
    assertThat(state.next(true, false)).isEqualTo(REGISTER);
  }

  @Test
  void failuresBackOffDoublingUpToFiveSeconds() {
    long[] waits = {250, 500, 1000, 2000, 4000, 5000, 5000};
    for (long wait : waits) {
      assertThat(state.next(true, false)).isEqualTo(REGISTER);
      state.sent();
      state.failed();
      ticker.advance(Duration.ofMillis(wait - 1));
      assertThat(state.next(true, false)).as("before %dms", wait).isEqualTo(NONE);
      ticker.advance(Duration.ofMillis(1));
    }
    assertThat(state.next(true, false)).isEqualTo(REGISTER);
    state.sent();
    state.succeeded();
    assertThat(state.next(true, false)).as("a success resets the backoff").isEqualTo(REGISTER);
    state.sent();
    state.failed();
    ticker.advance(Duration.ofMillis(250));
    assertThat(state.next(true, false)).isEqualTo(REGISTER);
  }

  @Test
  void etcdAnsweringAgainCutsTheBackoffShort() {
    for (int i = 0; i < 4; i++) {
      state.next(true, false);
      state.sent();
      state.failed();
    }
    assertThat(state.next(true, false)).isEqualTo(NONE);
    state.retryNow();
    assertThat(state.next(true, false)).isEqualTo(REGISTER);
    state.sent();
    state.failed();
    ticker.advance(Duration.ofMillis(250));
    assertThat(state.next(true, false)).as("the backoff starts over").isEqualTo(REGISTER);
  }

  @Test
  void aRevocationIsNotHeldBackByTheBackoff() {
    assertThat(state.next(true, false)).isEqualTo(REGISTER);
    state.sent();
    state.failed();
    assertThat(state.next(false, true)).isEqualTo(REVOKE);
  }
}
