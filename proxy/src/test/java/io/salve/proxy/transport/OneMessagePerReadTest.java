package io.salve.proxy.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OneMessagePerReadTest {
  /** Counts the reads that reach the transport. */
  private static final class TransportReads extends ChannelOutboundHandlerAdapter {
    int count;

    @Override
    public void read(ChannelHandlerContext ctx) {
      count++;
      ctx.read();
    }
  }

  /** Records messages; asks for the next one from within channelRead while {@code readAgain}. */
  private static final class Consumer extends ChannelInboundHandlerAdapter {
    final List<Object> received = new ArrayList<>();
    boolean readAgain;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      received.add(msg);
      if (readAgain) {
        ctx.read();
      }
    }
  }

  private final TransportReads transport = new TransportReads();
  private final Consumer consumer = new Consumer();
  private final EmbeddedChannel channel = new EmbeddedChannel();

  OneMessagePerReadTest() {
    channel.config().setAutoRead(false);
    channel.pipeline().addLast(transport, new OneMessagePerRead(), consumer);
  }

  @Test
  void deliversNothingUnasked() {
    channel.writeInbound("a");

    assertThat(consumer.received).isEmpty();
    channel.pipeline().read();
    assertThat(consumer.received).containsExactly("a");
  }

  @Test
  void deliversOneMessagePerRead() {
    channel.pipeline().read();
    channel.writeInbound("a", "b", "c");

    assertThat(consumer.received).containsExactly("a");
    channel.pipeline().read();
    assertThat(consumer.received).containsExactly("a", "b");
  }

  @Test
  void aReadAskedForDuringAReadCycleIsAnsweredByTheNextCycle() {
    consumer.readAgain = true;
    channel.pipeline().read();

    channel.writeInbound("part-1"); // the consumer asks for more while this cycle runs, then it completes
    channel.writeInbound("part-2"); // the next cycle must still be delivered
    channel.writeInbound("part-3");

    assertThat(consumer.received).containsExactly("part-1", "part-2", "part-3");
  }

  @Test
  void anUnansweredReadKeepsTheTransportReadingAfterAnEmptyCycle() {
    channel.pipeline().read();
    int before = transport.count;

    channel.pipeline().fireChannelReadComplete(); // a cycle that decoded nothing

    assertThat(transport.count).isGreaterThan(before);
    channel.writeInbound("late");
    assertThat(consumer.received).containsExactly("late");
  }

  @Test
  void releasesQueuedMessagesWhenTheChannelCloses() {
    io.netty.buffer.ByteBuf buf = io.netty.buffer.Unpooled.buffer(4).writeInt(1);
    channel.writeInbound(buf);

    channel.close();

    assertThat(buf.refCnt()).isZero();
  }
}
