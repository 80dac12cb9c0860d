package io.salve.proxy.transport;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Delivers exactly one inbound message per {@code read()} while auto-read is off, and keeps a
 * {@code read()} that no message has answered yet pending across read cycles: the read ends only
 * when a message is delivered. Messages decoded beyond what was asked for wait in a queue.
 *
 * <p>Salve's own replacement for Netty's {@code FlowControlHandler}, which since 4.2.15 counts a
 * {@code channelReadComplete} as answering an outstanding {@code read()} (netty/netty#17050). A
 * handler that asks for the next body part while the current read cycle is still running then never
 * gets it: the cycle's completion cancels the request, the next decoded part stays queued, and the
 * connection stalls after the first few KiB of a request body.
 *
 * <p>With auto-read on, the handler is transparent apart from draining its queue first.
 */
public final class OneMessagePerRead extends ChannelDuplexHandler {
  private final ArrayDeque<Object> queue = new ArrayDeque<>();
  /** {@code read()} calls from downstream not yet answered with a message. */
  private int pendingReads;
  private boolean dequeuing;

  @Override
  public void read(ChannelHandlerContext ctx) {
    pendingReads++;
    if (dequeuing) {
      return; // the running dequeue loop answers it, or asks upstream for more when it ends
    }
    dequeue(ctx);
    requestMoreIfPending(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    queue.addLast(msg);
    if (dequeuing) {
      return;
    }
    dequeue(ctx);
    requestMoreIfPending(ctx);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    // A read cycle ended. An unanswered read() stays pending, and upstream must keep reading for it.
    requestMoreIfPending(ctx);
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    releaseQueued();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseQueued();
  }

  private void dequeue(ChannelHandlerContext ctx) {
    dequeuing = true;
    try {
      while (pendingReads > 0 || ctx.channel().config().isAutoRead()) {
        Object msg = queue.pollFirst();
        if (msg == null) {
          break;
        }
        if (pendingReads > 0) {
          pendingReads--;
        }
        ctx.fireChannelRead(msg);
      }
    } finally {
      dequeuing = false;
    }
  }

  private void requestMoreIfPending(ChannelHandlerContext ctx) {
    if (pendingReads > 0 && queue.isEmpty() && ctx.channel().isActive()) {
      ctx.read();
    }
  }

  private void releaseQueued() {
    Object msg;
    while ((msg = queue.pollFirst()) != null) {
      ReferenceCountUtil.release(msg);
    }
  }
}
