package io.salve.proxy.forward;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpObject;

/**
 * The client side of an HTTP/1.1 connection: writes start at the receiver's place in the pipeline,
 * reads are demanded through the receiver, which hands the connection the next request.
 */
final class Http1ClientSide implements ClientSide {
  private final ChannelHandlerContext ctx;
  private final ClientRequestReceiver receiver;

  Http1ClientSide(ChannelHandlerContext ctx, ClientRequestReceiver receiver) {
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
    ctx.write(msg);
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
