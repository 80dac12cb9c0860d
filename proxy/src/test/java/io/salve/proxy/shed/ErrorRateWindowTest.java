package io.salve.proxy.shed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ErrorRateWindowTest {
  private final ErrorRateWindow window = ErrorRateWindow.create();

  @Test
  void noRequestsIsZero() {
    assertThat(window.rateAndReset()).isZero();
  }

  @Test
  void rateIsErrorsOverTotal() {
    for (int i = 0; i < 10; i++) {
      window.record(i < 3);
    }
    assertThat(window.rateAndReset()).isCloseTo(0.3, within(1e-12));
  }

  @Test
  void allErrorsIsOne() {
    window.record(true);
    window.record(true);
    assertThat(window.rateAndReset()).isEqualTo(1.0);
  }

  @Test
  void resetStartsANewInterval() {
    window.record(true);
    assertThat(window.rateAndReset()).isEqualTo(1.0);
    assertThat(window.rateAndReset()).isZero();
    window.record(false);
    window.record(false);
    window.record(false);
    window.record(true);
    assertThat(window.rateAndReset()).isEqualTo(0.25);
  }
}
