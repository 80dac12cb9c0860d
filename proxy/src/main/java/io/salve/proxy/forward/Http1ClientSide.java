package io.salve.proxy.forward;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.salve.proxy.transport.OneMessagePerRead;
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
  public Channel tunnelChannel() {
    return ctx.channel();
  }

  @Override
  public void dropHttpHandlers() {
    receiver.upgraded();
    ChannelPipeline p = ctx.pipeline();
    // The receiver first, then pacing and timeouts, the decoder last: removing the decoder hands
    // what it still holds to the next handler, which must then be the tunnel's relay.
    p.remove(ctx.handler());
    removeIfPresent(p, OneMessagePerRead.class);
    removeIfPresent(p, ClientTimeoutsHandler.class);
    removeIfPresent(p, HttpResponseEncoder.class);
    removeIfPresent(p, ByteToMessageDecoder.class);
  }

  private static void removeIfPresent(ChannelPipeline p, Class<? extends ChannelHandler> type) {
    ChannelHandler h = p.get(type);
    if (h != null) {
      p.remove(h);
    }
  }

  @Override
  public void exchangeFinished(boolean closeClient, boolean requestRead) {
    receiver.exchangeFinished(closeClient, requestRead);
  }
}
