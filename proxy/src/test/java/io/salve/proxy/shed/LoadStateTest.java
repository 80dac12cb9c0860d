package io.salve.proxy.shed;

import static io.salve.config.Criticality.CRITICAL;
import static io.salve.config.Criticality.NORMAL;
import static io.salve.config.Criticality.SHEDDABLE;
import static org.assertj.core.api.Assertions.assertThat;

import io.salve.config.Criticality;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LoadStateTest {

  @ParameterizedTest(name = "{0} admits {1}: {2}")
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
  void admitsMatrix(LoadState state, Criticality criticality, boolean admitted) {
    assertThat(state.admits(criticality)).isEqualTo(admitted);
  }

  @Test
  void everyStateAdmitsCritical() {
    for (LoadState state : LoadState.values()) {
      assertThat(state.admits(CRITICAL)).isTrue();
    }
    assertThat(LoadState.FAILING.admits(NORMAL)).isFalse();
    assertThat(LoadState.DEGRADED.admits(SHEDDABLE)).isFalse();
  }

  @Test
  void keysAndLevels() {
    assertThat(LoadState.HEALTHY.key()).isEqualTo("healthy");
    assertThat(LoadState.DEGRADED.key()).isEqualTo("degraded");
    assertThat(LoadState.FAILING.key()).isEqualTo("failing");
    assertThat(LoadState.HEALTHY.level()).isZero();
    assertThat(LoadState.DEGRADED.level()).isEqualTo(1);
    assertThat(LoadState.FAILING.level()).isEqualTo(2);
  }

  @Test
  void shedReasonKeys() {
    assertThat(ShedReason.LOAD_STATE.key()).isEqualTo("load_state");
    assertThat(ShedReason.CONCURRENCY_LIMIT.key()).isEqualTo("concurrency_limit");
  }
}
