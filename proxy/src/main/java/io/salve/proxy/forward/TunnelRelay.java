package io.salve.proxy.forward;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.util.ReferenceCountUtil;
import io.salve.proxy.transport.DrainEvent;

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
    ByteBuf buf;
    if (msg instanceof ByteBuf raw) {
      buf = raw;
    } else if (msg instanceof HttpContent content) {
      // The HTTP decoder may still hand over what it decoded in the read that carried the 101
      // (an empty LastHttpContent, or a Hixie-76 style body): its bytes belong to the tunnel.
      buf = content.content();
    } else {
      ReferenceCountUtil.release(msg);
      tunnel.close(Tunnel.End.ERROR);
      return;
    }
    if (!buf.isReadable() || tunnel.isClosed()) {
      // Bytes read while the tunnel closes have nowhere to go.
      buf.release();
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
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == DrainEvent.DEADLINE) {
      tunnel.close(Tunnel.End.DRAIN);
      return;
    }
    ctx.fireUserEventTriggered(evt);
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
