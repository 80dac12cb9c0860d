package io.salve.proxy.shed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.DefaultEventLoop;
import io.salve.proxy.util.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventLoopDelayProbeTest {
  private final DefaultEventLoop loop = new DefaultEventLoop();

  @AfterEach
  void shutDown() throws InterruptedException {
    loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
  }

  @Test
  void startsReportsAndStops() throws Exception {
    EventLoopDelayProbe probe =
        new EventLoopDelayProbe(List.of(loop), Duration.ofMillis(1), Ticker.system());
    assertThat(probe.running()).isFalse();
    assertThat(probe.maxDelayNanosAndReset()).isZero();

    probe.start();
    probe.start(); // idempotent
    assertThat(probe.running()).isTrue();
    // A task through the loop, so it has been busy at least once while probed.
    loop.submit(() -> {}).get(10, TimeUnit.SECONDS);
    assertThat(probe.maxDelayNanosAndReset()).isNotNegative();

    probe.stop();
    assertThat(probe.running()).isFalse();
    assertThat(probe.maxDelayNanosAndReset()).isNotNegative();
    probe.start(); // a stopped probe stays stopped
    assertThat(probe.running()).isFalse();
  }

  @Test
  void aShutDownLoopIsNotReportedAsLate() throws Exception {
    EventLoopDelayProbe probe =
        new EventLoopDelayProbe(List.of(loop), Duration.ofMillis(1), Ticker.system());
    probe.start();
    loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    assertThat(probe.maxDelayNanosAndReset()).isNotNegative();
    probe.stop();
  }

  @Test
  void periodMustBePositive() {
    assertThatThrownBy(() -> new EventLoopDelayProbe(List.of(loop), Duration.ZERO, Ticker.system()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
