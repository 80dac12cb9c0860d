package io.salve.proxy.forward;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * One direction of an upgraded tunnel: relays the bytes read on its channel to the peer channel.
 * Backpressure is Netty's proxy pattern: auto-read is off and the next read is asked for only once
 * the previous write to the peer has completed, so a slow reader on one side holds back the other
 * side's socket, never salve's memory. Closing, from either side or on error, closes the tunnel.
 */
final class TunnelRelay extends ChannelInboundHandlerAdapter {
  private final Tunnel tunnel;
  private final Channel peer;
  private final boolean upstream;

  /**
   * @param upstream true for the relay on the upstream channel (bytes flowing to the client)
   */
  TunnelRelay(Tunnel tunnel, Channel peer, boolean upstream) {
    this.tunnel = tunnel;
    this.peer = peer;
    this.upstream = upstream;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    ctx.channel().config().setAutoRead(false);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf buf)) {
      // Only raw bytes flow once the codecs are gone; anything else is a wiring defect.
      ReferenceCountUtil.release(msg);
      tunnel.close(Tunnel.End.ERROR);
      return;
    }
    tunnel.transferred(upstream, buf.readableBytes());
    if (!peer.isActive()) {
      buf.release();
      tunnel.close(upstream ? Tunnel.End.CLIENT_CLOSED : Tunnel.End.UPSTREAM_CLOSED);
      return;
    }
    peer.writeAndFlush(buf)
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (f.isSuccess()) {
                    ctx.channel().read();
                  } else {
                    tunnel.close(Tunnel.End.ERROR);
                  }
                });
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    tunnel.close(upstream ? Tunnel.End.UPSTREAM_CLOSED : Tunnel.End.CLIENT_CLOSED);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    tunnel.close(Tunnel.End.ERROR);
  }
}
