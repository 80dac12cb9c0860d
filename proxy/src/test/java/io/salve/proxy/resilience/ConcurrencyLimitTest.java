package io.salve.proxy.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import org.junit.jupiter.api.Test;

class ConcurrencyLimitTest {

  @Test
  void grantsUpToMaxThenRefuses() {
    ConcurrencyLimit limit = ConcurrencyLimit.of(2);
    assertThat(limit.max()).isEqualTo(2);
    assertThat(limit.tryAcquire()).isTrue();
    assertThat(limit.tryAcquire()).isTrue();
    assertThat(limit.tryAcquire()).isFalse();
    assertThat(limit.inFlight()).isEqualTo(2);
  }

  @Test
  void release_freesASlot() {
    ConcurrencyLimit limit = ConcurrencyLimit.of(1);
    assertThat(limit.tryAcquire()).isTrue();
    assertThat(limit.tryAcquire()).isFalse();
    limit.release();
    assertThat(limit.inFlight()).isZero();
    assertThat(limit.tryAcquire()).isTrue();
  }

  @Test
  void release_withoutAcquire_throwsAndDoesNotRaiseTheLimit() {
    ConcurrencyLimit limit = ConcurrencyLimit.of(1);
    assertThatIllegalStateException().isThrownBy(limit::release);
    assertThat(limit.inFlight()).isZero();
    assertThat(limit.tryAcquire()).isTrue();
    assertThat(limit.tryAcquire()).isFalse();
  }

  @Test
  void zero_refusesEverything() {
    assertThat(ConcurrencyLimit.of(0).tryAcquire()).isFalse();
  }

  @Test
  void negative_isRejected() {
    assertThatIllegalArgumentException().isThrownBy(() -> ConcurrencyLimit.of(-1));
  }
}
