package io.salve.proxy.forward;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpObject;

/**
 * The client side of one HTTP/2 stream: its child channel, which speaks {@code HttpObject}s through
 * Netty's {@code Http2StreamFrameToHttpObjectCodec}. Writability is the stream's send window (and the
 * connection's); a read hands over the next request part and, once it is consumed, opens the
 * stream's receive window by as much, so a stream is read only as fast as its upstream takes it.
 * Closing resets the stream (RST_STREAM CANCEL) unless both ends already ended it. A stream is never
 * upgraded: HTTP/2 has no Upgrade.
 */
final class Http2StreamClientSide implements ClientSide {
  private final ChannelHandlerContext ctx;
  private final ClientRequestReceiver receiver;

  Http2StreamClientSide(ChannelHandlerContext ctx, ClientRequestReceiver receiver) {
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
