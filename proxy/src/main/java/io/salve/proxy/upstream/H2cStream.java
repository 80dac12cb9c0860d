package io.salve.proxy.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;
import io.salve.proxy.transport.RollingTimer;

/**
 * One HTTP/2 stream of a shared h2c connection, lent to one exchange: the handler at the end of the
 * stream's child pipeline, after {@code Http2StreamFrameToHttpObjectCodec}, so the exchange writes and
 * hears {@code HttpObject}s exactly as on HTTP/1.1. Backpressure is the stream's own flow control: a
 * paused stream stops reading, so the upstream runs out of window for this stream only; writability is
 * the stream's send window and the connection's.
 *
 * <p>A stream is never reused: {@link #release} closes it, which resets it (RST_STREAM CANCEL) unless
 * both directions already ended. Its {@link H2cConnection} counts it until its channel is inactive.
 */
final class H2cStream extends ChannelInboundHandlerAdapter implements UpstreamStream {
  private final H2cConnection connection;
  private final boolean reused;
  private final long idleNanos;
  private Listener listener;
  private Channel channel;
  private RollingTimer idle;

  H2cStream(H2cConnection connection, Listener listener, boolean reused, long idleNanos) {
    this.connection = connection;
    this.listener = listener;
    this.reused = reused;
    this.idleNanos = idleNanos;
  }

  @Override
  public Endpoint endpoint() {
    return connection.endpoint();
  }

  @Override
  public boolean isReused() {
    return reused;
  }

  Channel channel() {
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

  @Override
  public void touch() {
    idle.arm(idleNanos);
  }

  /** Ends the stream: closing a stream that has not ended both ways sends RST_STREAM CANCEL. */
  @Override
  public void release(boolean reusable) {
    listener = null;
    idle.stop();
    channel.close();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    idle = new RollingTimer(ctx.executor(), this::idleExpired);
    idle.arm(idleNanos);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    idle.arm(idleNanos);
    Listener l = listener;
    if (l == null || !(msg instanceof HttpObject)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpResponse response && response.status().code() == 101) {
      // RFC 9113 §8.6: HTTP/2 has no 101; a stream never becomes a tunnel.
      ReferenceCountUtil.release(msg);
      fail(new DecoderException("101 Switching Protocols on an HTTP/2 stream"));
      channel.close();
      return;
    }
    if (msg instanceof HttpResponse response) {
      dropConversionFields(response.headers());
    }
    if (msg instanceof FullHttpResponse full) {
      // A HEADERS frame that ended the stream (or a 100 Continue): the exchange reads a head, then
      // the body's end, as HTTP/1.1 decodes them.
      l.onResponseObject(new DefaultHttpResponse(full.protocolVersion(), full.status(), full.headers()));
      if (listener != null) {
        listener.onResponseObject(new DefaultLastHttpContent(full.content(), full.trailingHeaders()));
      } else {
        full.release();
      }
      return;
    }
    l.onResponseObject((HttpObject) msg);
  }

  /**
   * Netty's HTTP/2-to-HTTP/1.1 conversion records the stream id (and, for other frames, scheme, path,
   * priority) as {@code x-http2-*} fields: facts of this hop, never meant for the client.
   */
  private static void dropConversionFields(HttpHeaders headers) {
    for (HttpConversionUtil.ExtensionHeaderNames name : HttpConversionUtil.ExtensionHeaderNames.values()) {
      headers.remove(name.text());
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof Http2ResetFrame reset) {
      fail(reset.errorCode() == Http2Error.REFUSED_STREAM.code()
          ? new StreamRefusedException("upstream refused the stream (REFUSED_STREAM)")
          : new StreamResetException("upstream reset the stream (" + name(reset.errorCode()) + ")"));
    } else if (evt instanceof Http2GoAwayFrame goAway) {
      // Only streams above the GOAWAY's last stream id hear it: the upstream never processed them.
      goAway.release();
      fail(new StreamRefusedException("upstream is going away and did not process the stream (GOAWAY)"));
    } else {
      ctx.fireUserEventTriggered(evt); // the pipeline's tail releases what nobody wants
    }
  }

  private static String name(long code) {
    Http2Error e = Http2Error.valueOf(code);
    return e == null ? "error " + code : e.name();
  }

  private void fail(Throwable cause) {
    Listener l = listener;
    listener = null;
    if (l != null) {
      l.onUpstreamError(cause);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    idle.stop();
    connection.streamClosed();
    Listener l = listener;
    listener = null;
    if (l != null) {
      l.onUpstreamClosed();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(cause);
    ctx.close();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    Listener l = listener;
    if (l != null) {
      l.onUpstreamWritabilityChanged(ctx.channel().isWritable());
    }
    ctx.fireChannelWritabilityChanged();
  }

  /** Nothing moved on the stream for the idle timeout: the exchange times out, or it just closes. */
  private void idleExpired() {
    Listener l = listener;
    if (l != null) {
      l.onUpstreamIdle();
    } else {
      channel.close();
    }
  }
}
