package io.salve.proxy.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Ticker;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClockedEventLoopTest {
  private final EventLoopGroup group = Transports.newGroup(1, "clock-test");
  private final ClockedEventLoop loop = (ClockedEventLoop) group.next();

  @AfterEach
  void stop() {
    group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void aPassReadsTheClockOnceAndTheNextPassReadsItAgain() throws Exception {
    CompletableFuture<long[]> reads = new CompletableFuture<>();
    loop.execute(
        () -> {
          Ticker ticker = loop.passTicker();
          long first = ticker.nanoTime();
          long exactAfter = spinPast(System.nanoTime());
          long second = ticker.nanoTime();
          // Not due before the loop has waited for I/O again: a later pass.
          loop.schedule(
              () -> reads.complete(new long[] {first, second, exactAfter, ticker.nanoTime()}),
              2,
              TimeUnit.MILLISECONDS);
        });
    long[] r = reads.get(5, TimeUnit.SECONDS);
    assertThat(r[1]).as("same pass, later read").isEqualTo(r[0]).isLessThan(r[2]);
    assertThat(r[3] - r[0]).as("a later pass reads the clock again").isGreaterThanOrEqualTo(2_000_000L);
  }

  @Test
  void aRollingTimerOnTheLoopStillExpires() throws Exception {
    CompletableFuture<Long> expired = new CompletableFuture<>();
    long[] armedAt = new long[1];
    loop.execute(
        () -> {
          RollingTimer timer = new RollingTimer(loop, () -> expired.complete(System.nanoTime()));
          armedAt[0] = System.nanoTime();
          timer.arm(TimeUnit.MILLISECONDS.toNanos(20));
        });
    long at = expired.get(5, TimeUnit.SECONDS);
    // Early by a pass of the loop at most; this pass was microseconds long.
    assertThat(at - armedAt[0]).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(19));
  }

  private static long spinPast(long t) {
    long now;
    do {
      now = System.nanoTime();
    } while (now == t);
    return now;
  }
}
