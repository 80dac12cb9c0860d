package io.salve.proxy.server;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;

/**
 * Keeps a {@code read()} alive across read batches. Sits right behind Netty's {@code
 * FlowControlHandler}, which (4.2) counts requested reads and, on {@code channelReadComplete},
 * forgets those the batch did not satisfy. A read requested while handling a message - e.g. after
 * answering a request locally, or when a pooled upstream connection is ready at once - is then lost
 * if the next message arrives in a later batch: it stays queued and the connection stalls. This
 * handler remembers that a read is owed until a message arrives, and asks again after such a batch.
 */
final class ReadRequestKeeper extends ChannelDuplexHandler {
  private boolean owed;

  @Override
  public void read(ChannelHandlerContext ctx) {
    owed = true;
    ctx.read();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    owed = false;
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    // The flow handler only completes a batch with no read outstanding on its side; one still owed
    // here was dropped by it, so request it again.
    if (owed && ctx.channel().isActive()) {
      ctx.read();
    }
    ctx.fireChannelReadComplete();
  }
}
