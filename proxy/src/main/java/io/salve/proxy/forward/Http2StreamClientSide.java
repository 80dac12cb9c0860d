package io.salve.proxy.forward;

import io.netty.channel.ChannelHandlerContext;

/**
 * The client side of one HTTP/2 stream: its child channel, which speaks {@code HttpObject}s through
 * Netty's {@code Http2StreamFrameToHttpObjectCodec}. Writability is the stream's send window (and the
 * connection's); a read hands over the next request part and, once it is consumed, opens the
 * stream's receive window by as much, so a stream is read only as fast as its upstream takes it.
 * Closing resets the stream (RST_STREAM CANCEL) unless both ends already ended it. A stream is never
 * upgraded: HTTP/2 has no Upgrade.
 */
final class Http2StreamClientSide extends ChannelClientSide {
  Http2StreamClientSide(ChannelHandlerContext ctx, ClientRequestReceiver receiver) {
    super(ctx, receiver);
  }
}
