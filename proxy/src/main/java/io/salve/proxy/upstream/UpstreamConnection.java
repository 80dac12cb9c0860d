package io.salve.proxy.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.salve.proxy.transport.RollingTimer;
import io.netty.util.ReferenceCountUtil;

/**
 * One pooled HTTP/1.1 connection to an endpoint, living on a single event loop. While lent to an
 * exchange it forwards every event to that exchange's {@link Listener}; while idle in the pool any
 * event (data, close, idle timeout) ends it. The HTTP/1.1 {@link UpstreamStream}: one stream per
 * connection at a time.
 */
public final class UpstreamConnection extends ChannelInboundHandlerAdapter implements UpstreamStream {
  private final Endpoint endpoint;
  private final EndpointPool pool;
  private Channel channel;
  private Listener listener;
  private int requestsServed;
  private final long idleNanos;
  private RollingTimer idle;
  /** The current response announced that the upstream closes the connection after it. */
  private boolean peerCloses;
  /** Handed to a tunnel: the pool already counted it gone. */
  private boolean detached;

  UpstreamConnection(Endpoint endpoint, EndpointPool pool, long idleNanos) {
    this.endpoint = endpoint;
    this.pool = pool;
    this.idleNanos = idleNanos;
  }

  @Override
  public Endpoint endpoint() {
    return endpoint;
  }

  public Channel channel() {
    return channel;
  }

  @Override
  public void write(HttpObject msg) {
    channel.write(msg, channel.voidPromise());
  }

  @Override
  public void writeAndFlush(HttpObject msg) {
    channel.writeAndFlush(msg, channel.voidPromise());
  }

  @Override
  public void flush() {
    channel.flush();
  }

  @Override
  public boolean isWritable() {
    return channel.isWritable();
  }

  @Override
  public void setAutoRead(boolean autoRead) {
    channel.config().setAutoRead(autoRead);
  }

  /** @return whether this connection served a request before the current one. */
  @Override
  public boolean isReused() {
    return requestsServed > 1;
  }

  void lend(Listener l) {
    this.listener = l;
    idle.arm(idleNanos);
    requestsServed++;
    peerCloses = false;
  }

  /**
   * Gives the connection back.
   *
   * @param reusable whether the last exchange left it in a clean state (full response read, full
   *     request written, keep-alive on both sides); a connection whose last response said
   *     {@code Connection: close} (or was HTTP/1.0 without keep-alive) is never reused, whatever
   *     the caller thinks (RFC 9112 §9.6)
   */
  @Override
  public void release(boolean reusable) {
    listener = null;
    idle.arm(idleNanos);
    pool.release(this, reusable && !peerCloses && channel.isActive());
  }

  @Override
  public Channel detachForTunnel() {
    listener = null;
    idle.stop();
    detached = true;
    pool.closed(this); // no longer the pool's: another connection may open in its place
    return channel;
  }

  @Override
  public void dropHttpHandlers() {
    ChannelPipeline p = channel.pipeline();
    p.remove(this);
    p.remove(UpstreamCodec.class);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    idle = new RollingTimer(ctx.executor(), this::idleExpired);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    idle.arm(idleNanos);
    Listener l = listener;
    if (l != null && msg instanceof HttpObject) {
      if (msg instanceof HttpResponse && ((HttpResponse) msg).status().code() >= 200) {
        // Read before the exchange strips the hop-by-hop Connection field from the head.
        peerCloses = !HttpUtil.isKeepAlive((HttpResponse) msg);
      }
      l.onResponseObject((HttpObject) msg);
    } else {
      // Bytes on an idle connection mean the peer is confused; never reuse it.
      ReferenceCountUtil.release(msg);
      ctx.close();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    idle.stop();
    if (detached) {
      ctx.fireChannelInactive();
      return;
    }
    Listener l = listener;
    listener = null;
    pool.closed(this);
    if (l != null) {
      l.onUpstreamClosed();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Listener l = listener;
    if (l != null) {
      l.onUpstreamError(cause);
    }
    ctx.close();
  }

  @Override
  public void touch() {
    idle.arm(idleNanos);
  }

  /** No bytes moved for the idle timeout: an idle pooled connection closes, a lent one times out. */
  private void idleExpired() {
    Listener l = listener;
    if (l != null) {
      l.onUpstreamIdle();
    } else {
      channel.close();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    Listener l = listener;
    if (l != null) {
      l.onUpstreamWritabilityChanged(ctx.channel().isWritable());
    }
    ctx.fireChannelWritabilityChanged();
  }
}
