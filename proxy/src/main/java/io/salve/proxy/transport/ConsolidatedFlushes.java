package io.salve.proxy.transport;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * Netty's {@code FlushConsolidationHandler} with {@code consolidateWhenNoReadInProgress}, minus its
 * cost per request: a flush made while this connection reads waits for the end of the read; a flush
 * made from elsewhere (a request forwarded from the client's read to its upstream connection) runs as
 * a task after the I/O the loop found ready, so that every connection's writes of that pass go out in
 * one flush each. Netty's handler submits that task as a future (a {@code PromiseTask} per flush, and
 * a cancel when an earlier flush makes it moot); this one queues a plain task at most once at a time,
 * which finds nothing to do when it is moot. A flush goes out at once after {@value
 * #MAX_PENDING_FLUSHES} held ones, and before a close, a disconnect, an error and when the channel
 * stops being writable. One per connection, first in its pipeline.
 */
public final class ConsolidatedFlushes extends ChannelDuplexHandler {
  static final int MAX_PENDING_FLUSHES = 256;

  private final Runnable flushTask = this::scheduledFlush;
  private ChannelHandlerContext ctx;
  private int pending;
  private boolean reading;
  private boolean taskQueued;

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    if (++pending == MAX_PENDING_FLUSHES) {
      flushNow();
    } else if (!reading && !taskQueued) {
      taskQueued = true;
      ctx.channel().eventLoop().execute(flushTask);
    }
  }

  private void scheduledFlush() {
    taskQueued = false;
    if (pending > 0 && !reading) {
      flushNow();
    } // else the read in progress flushes when it completes
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    reading = true;
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    readDone();
    ctx.fireChannelReadComplete();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    readDone();
    ctx.fireExceptionCaught(cause);
  }

  @Override
  public void disconnect(ChannelHandlerContext ctx, ChannelPromise promise) {
    readDone();
    ctx.disconnect(promise);
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    readDone();
    ctx.close(promise);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (!ctx.channel().isWritable() && pending > 0) {
      flushNow(); // held writes are what fills the buffer: let them go
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (pending > 0) {
      flushNow();
    }
  }

  private void readDone() {
    reading = false;
    if (pending > 0) {
      flushNow();
    }
  }

  private void flushNow() {
    pending = 0;
    ctx.flush();
  }
}
