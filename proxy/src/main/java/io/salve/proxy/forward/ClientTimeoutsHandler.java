package io.salve.proxy.forward;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.salve.proxy.transport.RollingTimer;
import java.util.concurrent.TimeUnit;

/**
 * The client connection's two clocks while it owes us a request: an idle timeout before the first
 * byte of a request (the connection is closed quietly), and a total deadline for the request head
 * once its first byte arrived (slow-drip headers get 408 and the connection closes). Sits before the
 * HTTP decoder so it sees raw bytes; the request receiver tells it when a head was decoded and when
 * the connection is waiting again.
 */
public final class ClientTimeoutsHandler extends ChannelInboundHandlerAdapter {
  private final long idleNanos;
  private final long headNanos;
  private ChannelHandlerContext ctx;
  private RollingTimer timer;
  private boolean awaitingHead = true;
  private boolean headStarted;

  public ClientTimeoutsHandler(long idleMillis, long headMillis) {
    this.idleNanos = TimeUnit.MILLISECONDS.toNanos(idleMillis);
    this.headNanos = TimeUnit.MILLISECONDS.toNanos(headMillis);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.timer = new RollingTimer(ctx.executor(), this::expired, Math.min(idleNanos, headNanos));
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    timer.stop(); // an upgraded connection has the tunnel's idle timeout instead
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    timer.arm(idleNanos);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (awaitingHead && !headStarted && msg instanceof ByteBuf && ((ByteBuf) msg).isReadable()) {
      headStarted = true;
      timer.arm(headNanos);
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    timer.stop();
    ctx.fireChannelInactive();
  }

  /** A full request head was decoded: no client clock runs while the exchange is in flight. */
  public void headReceived() {
    awaitingHead = false;
    headStarted = false;
    timer.disarm();
  }

  /** The previous exchange finished and the connection waits for the next request. */
  public void awaitingRequest() {
    awaitingHead = true;
    headStarted = false;
    timer.arm(idleNanos);
  }

  private void expired() {
    if (!awaitingHead || !ctx.channel().isActive()) {
      return;
    }
    if (headStarted) {
      ctx.pipeline()
          .writeAndFlush(
              ErrorResponses.of(
                  ctx.alloc(),
                  HttpResponseStatus.REQUEST_TIMEOUT,
                  "request_timeout",
                  "request head not received in time",
                  true))
          .addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.close();
    }
  }
}
