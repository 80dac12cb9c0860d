package io.salve.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.flow.FlowControlHandler;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadRequestKeeperTest {
  /** Reads one message at a time; after "head" it asks for the next at once, inside the batch. */
  private static final class Receiver extends ChannelInboundHandlerAdapter {
    final List<Object> received = new ArrayList<>();
    ChannelHandlerContext ctx;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      received.add(msg);
      if ("head".equals(msg)) {
        ctx.read();
      }
    }
  }

  private static List<Object> run(ChannelHandler... beforeReceiver) {
    Receiver receiver = new Receiver();
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.config().setAutoRead(false);
    ch.pipeline().addLast(beforeReceiver);
    ch.pipeline().addLast(receiver);
    receiver.ctx.read();
    ch.writeInbound("head"); // one batch: the message, then channelReadComplete
    ch.writeInbound("body"); // a later batch
    ch.finishAndReleaseAll();
    return receiver.received;
  }

  @Test
  void aReadRequestedDuringABatchSurvivesItsEnd() {
    assertThat(run(new FlowControlHandler(), new ReadRequestKeeper())).containsExactly("head", "body");
  }

  @Test
  void withoutTheKeeperTheFlowHandlerLosesIt() {
    // Documents the Netty behaviour the keeper works around; if this starts failing, the flow
    // handler keeps such reads itself and the keeper may go.
    assertThat(run(new FlowControlHandler())).containsExactly("head");
  }
}
