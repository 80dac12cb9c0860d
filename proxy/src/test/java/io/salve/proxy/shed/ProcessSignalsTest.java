package io.salve.proxy.shed;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcessSignalsTest {
  private final ProcessSignals signals = ProcessSignals.system();

  @Test
  void cpuIsAShareOrUnknown() {
    for (int i = 0; i < 3; i++) {
      double cpu = signals.cpu();
      assertThat(Double.isNaN(cpu) || (cpu >= 0.0 && cpu <= 1.0)).as("cpu %s", cpu).isTrue();
    }
  }

  @Test
  void heapIsAShareOfALiveHeap() {
    assertThat(signals.heap()).isGreaterThan(0.0).isLessThanOrEqualTo(1.0);
  }

  @Test
  void heapShareUsesAfterGcUsageOverMax() {
    assertThat(ProcessSignals.heapShare(300, 900, 1000, 500)).isEqualTo(0.3);
  }

  @Test
  void heapShareFallsBackToCurrentUsageBeforeAnyCollection() {
    assertThat(ProcessSignals.heapShare(-1, 900, 1000, 500)).isEqualTo(0.9);
    assertThat(ProcessSignals.heapShare(0, 900, 1000, 500)).isEqualTo(0.9);
  }

  @Test
  void heapShareUsesCommittedWithoutMaxAndIsUnknownWithoutEither() {
    assertThat(ProcessSignals.heapShare(250, 900, -1, 500)).isEqualTo(0.5);
    assertThat(ProcessSignals.heapShare(250, 900, -1, 0)).isNaN();
  }

  @Test
  void heapShareIsClampedToOne() {
    assertThat(ProcessSignals.heapShare(2000, 900, 1000, 500)).isEqualTo(1.0);
  }
}
