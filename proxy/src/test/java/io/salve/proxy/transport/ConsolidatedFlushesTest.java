package io.salve.proxy.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ConsolidatedFlushesTest {
  /** Counts the flushes that reach the transport. */
  private static final class TransportFlushes extends ChannelOutboundHandlerAdapter {
    int count;

    @Override
    public void flush(ChannelHandlerContext ctx) {
      count++;
      ctx.flush();
    }
  }

  private final TransportFlushes flushes = new TransportFlushes();
  private EmbeddedChannel channel;

  @BeforeEach
  void open() {
    channel = new EmbeddedChannel(flushes, new ConsolidatedFlushes());
    channel.runPendingTasks();
    flushes.count = 0;
  }

  @Test
  void flushesMadeWhileReadingGoOutOnceWhenTheReadCompletes() {
    channel.pipeline().fireChannelRead("request");
    channel.pipeline().flush();
    channel.pipeline().flush();
    channel.runPendingTasks();
    assertThat(flushes.count).as("still reading: the queued task waits for the read").isZero();
    channel.pipeline().fireChannelReadComplete();
    assertThat(flushes.count).isEqualTo(1);
    channel.runPendingTasks();
    assertThat(flushes.count).as("nothing left for the task").isEqualTo(1);
  }

  @Test
  void flushesFromElsewhereGoOutOnceFromOneQueuedTask() {
    channel.pipeline().flush();
    channel.pipeline().flush();
    channel.pipeline().flush();
    assertThat(flushes.count).isZero();
    channel.runPendingTasks();
    assertThat(flushes.count).isEqualTo(1);
    channel.pipeline().flush();
    channel.runPendingTasks();
    assertThat(flushes.count).as("the next pass queues a task again").isEqualTo(2);
  }

  @Test
  void aMootTaskFindsNothingAndTheNextFlushStillGoesOut() {
    channel.pipeline().flush(); // queues the task
    channel.pipeline().fireChannelRead("x");
    channel.pipeline().fireChannelReadComplete(); // flushes now
    assertThat(flushes.count).isEqualTo(1);
    channel.pipeline().flush(); // the queued task is still to run: it takes this one
    channel.runPendingTasks();
    assertThat(flushes.count).isEqualTo(2);
    channel.runPendingTasks();
    assertThat(flushes.count).isEqualTo(2);
  }

  @Test
  void manyHeldFlushesGoOutAtTheLimitAndBeforeAClose() {
    channel.pipeline().fireChannelRead("x");
    for (int i = 0; i < ConsolidatedFlushes.MAX_PENDING_FLUSHES; i++) {
      channel.pipeline().flush();
    }
    assertThat(flushes.count).isEqualTo(1);
    channel.pipeline().flush();
    channel.close();
    assertThat(flushes.count).isEqualTo(2);
  }
}
