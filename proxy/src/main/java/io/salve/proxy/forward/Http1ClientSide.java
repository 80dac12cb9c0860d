package io.salve.proxy.forward;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.salve.proxy.transport.OneMessagePerRead;
import io.netty.channel.ChannelHandlerContext;

/**
 * The client side of an HTTP/1.1 connection, which the receiver hands one request after another; the
 * one client side that can become a tunnel (after a 101).
 */
final class Http1ClientSide extends ChannelClientSide {
  Http1ClientSide(ChannelHandlerContext ctx, ClientRequestReceiver receiver) {
    super(ctx, receiver);
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
}
