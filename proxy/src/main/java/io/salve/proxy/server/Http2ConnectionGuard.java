package io.salve.proxy.server;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.ReferenceCountUtil;
import io.salve.proxy.transport.DrainEvent;
import io.salve.proxy.transport.RollingTimer;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of an HTTP/2 client connection, after the multiplexer: it closes the connection when it
 * has had no open stream for the listener's {@code idleTimeout}, and on a drain sends GOAWAY (the
 * client opens no new stream here; streams in flight finish) and closes once the last stream ended.
 * Salve's drain closes whatever is still open at {@code drainTimeout}. It also takes the
 * connection-level frames the multiplexer passes on (SETTINGS, PING, GOAWAY): the codec already
 * acted on them, so they are released here.
 */
final class Http2ConnectionGuard extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(Http2ConnectionGuard.class);
  private final Http2Connection connection;
  private final long idleNanos;
  private ChannelHandlerContext ctx;
  private RollingTimer idle;
  private boolean draining;

  Http2ConnectionGuard(Http2Connection connection, long idleMillis) {
    this.connection = connection;
    this.idleNanos = TimeUnit.MILLISECONDS.toNanos(idleMillis);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.idle = new RollingTimer(ctx.executor(), this::idleExpired);
    idle.arm(idleNanos);
    connection.addListener(
        new Http2ConnectionAdapter() {
          @Override
          public void onStreamActive(Http2Stream stream) {
            idle.disarm();
          }

          @Override
          public void onStreamClosed(Http2Stream stream) {
            // After the stream left the active set: count once the close has run its course.
            ctx.executor().execute(Http2ConnectionGuard.this::streamEnded);
          }
        });
  }

  private void streamEnded() {
    if (connection.numActiveStreams() > 0 || !ctx.channel().isActive()) {
      return;
    }
    if (draining) {
      ctx.close();
    } else {
      idle.arm(idleNanos);
    }
  }

  private void idleExpired() {
    if (connection.numActiveStreams() == 0 && ctx.channel().isActive()) {
      goAway().addListener(ChannelFutureListener.CLOSE);
    }
  }

  private io.netty.channel.ChannelFuture goAway() {
    return ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof DrainEvent) {
      if (!draining && ctx.channel().isActive()) {
        draining = true;
        var sent = goAway();
        if (connection.numActiveStreams() == 0) {
          sent.addListener(ChannelFutureListener.CLOSE);
        }
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ReferenceCountUtil.release(msg);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    idle.stop();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    idle.stop();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof Http2Exception || cause instanceof Http2FrameStreamException) {
      // The codec shows a protocol error here before it answers it itself: GOAWAY with its own code
      // (ENHANCE_YOUR_CALM for a flood) and a close, or RST_STREAM. Closing first would send GOAWAY
      // NO_ERROR instead, or end every stream for one stream's fault.
      LOG.debug("HTTP/2 connection error from {}: {}", ctx.channel().remoteAddress(), cause.getMessage());
      return;
    }
    // I/O trouble is routine for a proxy; anything else is a bug in salve, which must be seen.
    if (!(cause instanceof IOException)) {
      LOG.warn("unexpected error on an HTTP/2 client connection; closing it", cause);
    }
    ctx.close();
  }
}
