package io.salve.proxy.forward;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpObject;

/**
 * A client side that is one channel, as the receiver's context sees it: writes start at the
 * receiver's place in the pipeline, reads are demanded through the receiver, and the channel's
 * writability is the backpressure. An HTTP/1.1 connection ({@link Http1ClientSide}) and an HTTP/2
 * stream ({@link Http2StreamClientSide}) differ only in what their channel is.
 */
abstract class ChannelClientSide implements ClientSide {
  final ChannelHandlerContext ctx;
  final ClientRequestReceiver receiver;

  ChannelClientSide(ChannelHandlerContext ctx, ClientRequestReceiver receiver) {
    this.ctx = ctx;
    this.receiver = receiver;
  }

  @Override
  public EventLoop eventLoop() {
    return ctx.channel().eventLoop();
  }

  @Override
  public ByteBufAllocator alloc() {
    return ctx.alloc();
  }

  @Override
  public boolean isWritable() {
    return ctx.channel().isWritable();
  }

  @Override
  public void readMore() {
    receiver.readMore();
  }

  @Override
  public void write(HttpObject msg) {
    // No promise per head: nobody waits on it, and a failed write reaches exceptionCaught, which closes.
    ctx.write(msg, ctx.voidPromise());
  }

  @Override
  public ChannelFuture writeAndFlush(HttpObject msg) {
    return ctx.writeAndFlush(msg);
  }

  @Override
  public void close() {
    ctx.close();
  }

  @Override
  public void exchangeFinished(boolean closeClient, boolean requestRead) {
    receiver.exchangeFinished(closeClient, requestRead);
  }
}
