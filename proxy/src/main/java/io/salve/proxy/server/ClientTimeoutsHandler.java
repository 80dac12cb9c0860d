package io.salve.proxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.ScheduledFuture;
import io.salve.proxy.forward.ErrorResponses;
import java.util.concurrent.TimeUnit;

/**
 * The client connection's two clocks while it owes us a request: an idle timeout before the first
 * byte of a request (the connection is closed quietly), and a total deadline for the request head
 * once its first byte arrived (slow-drip headers get 408 and the connection closes). Sits before the
 * HTTP decoder so it sees raw bytes; the request receiver tells it when a head was decoded and when
 * the connection is waiting again.
 */
public final class ClientTimeoutsHandler extends ChannelInboundHandlerAdapter {
  private final long idleMillis;
  private final long headMillis;
  private ChannelHandlerContext ctx;
  private boolean awaitingHead = true;
  private boolean headStarted;
  private ScheduledFuture<?> timer;

  public ClientTimeoutsHandler(long idleMillis, long headMillis) {
    this.idleMillis = idleMillis;
    this.headMillis = headMillis;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    arm(idleMillis, false);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (awaitingHead && !headStarted && msg instanceof ByteBuf && ((ByteBuf) msg).isReadable()) {
      headStarted = true;
      arm(headMillis, true);
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancel();
    ctx.fireChannelInactive();
  }

  /** A full request head was decoded: no client clock runs while the exchange is in flight. */
  public void headReceived() {
    awaitingHead = false;
    headStarted = false;
    cancel();
  }

  /** The previous exchange finished and the connection waits for the next request. */
  public void awaitingRequest() {
    awaitingHead = true;
    headStarted = false;
    arm(idleMillis, false);
  }

  private void arm(long millis, boolean headDeadline) {
    cancel();
    timer = ctx.executor().schedule(() -> expired(headDeadline), millis, TimeUnit.MILLISECONDS);
  }

  private void expired(boolean headDeadline) {
    timer = null;
    if (!awaitingHead || !ctx.channel().isActive()) {
      return;
    }
    if (headDeadline) {
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

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
