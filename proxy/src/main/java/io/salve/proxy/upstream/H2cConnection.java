package io.salve.proxy.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.salve.proxy.transport.RollingTimer;

/**
 * One h2c connection to an endpoint, shared by up to the peer's SETTINGS_MAX_CONCURRENT_STREAMS
 * streams: the handler after {@code Http2MultiplexHandler} in the connection's pipeline, hearing the
 * connection-level frames (SETTINGS, GOAWAY) and counting its streams for its {@link H2cPool}.
 *
 * <p>It takes streams once the peer's first SETTINGS arrived (the preface exchange is done and its
 * stream limit known) and until a GOAWAY arrived; it closes once idle (no stream) for the idle
 * timeout, or once a GOAWAY arrived and its last stream ended.
 */
final class H2cConnection extends ChannelInboundHandlerAdapter implements H2cSlots.Candidate {
  /**
   * The connection's receive window. Each stream keeps HTTP/2's 64 KiB window, which bounds what a
   * stream paused for a slow client holds; the connection's is far larger, so that paused streams do
   * not use up the whole connection's window and stall the others sharing it (until 256 are paused).
   */
  static final int CONNECTION_WINDOW = 256 * Http2CodecUtil.DEFAULT_WINDOW_SIZE;
  private final Endpoint endpoint;
  private final H2cPool pool;
  private final long idleNanos;
  private Channel channel;
  private RollingTimer idle;
  private long maxStreams = Long.MAX_VALUE; // RFC 9113 6.5.2: unlimited until the peer says otherwise
  private int active;
  private int served;
  private boolean ready;
  private boolean goingAway;
  private boolean failed;
  private boolean countedIdle;

  H2cConnection(Endpoint endpoint, H2cPool pool, long idleNanos) {
    this.endpoint = endpoint;
    this.pool = pool;
    this.idleNanos = idleNanos;
  }

  Endpoint endpoint() {
    return endpoint;
  }

  Channel channel() {
    return channel;
  }

  @Override
  public boolean acceptsStream() {
    return ready && !goingAway && active < maxStreams && channel.isActive();
  }

  @Override
  public int activeStreams() {
    return active;
  }

  boolean isReady() {
    return ready;
  }

  boolean isGoingAway() {
    return goingAway;
  }

  /**
   * Marks a connection that never became ready as failed.
   *
   * @return whether this is the first report of its failure (a TLS failure and the close that
   *     follows it are one failure)
   */
  boolean markFailed() {
    boolean first = !failed;
    failed = true;
    return first;
  }

  long maxStreams() {
    return maxStreams;
  }

  /**
   * Opens a stream lent to {@code listener}; the caller checked {@link #acceptsStream}. The promise
   * fails when the stream cannot be opened (the connection closed meanwhile).
   */
  void openStream(UpstreamStream.Listener listener, Promise<UpstreamStream> promise) {
    active++;
    endpoint.openStreams().incrementAndGet();
    setIdle(false);
    H2cStream stream = new H2cStream(this, listener, served++ > 0, idleNanos);
    Future<Http2StreamChannel> f =
        new Http2StreamChannelBootstrap(channel)
            .handler(
                new ChannelInitializer<Http2StreamChannel>() {
                  @Override
                  protected void initChannel(Http2StreamChannel ch) {
                    ch.pipeline().addLast("codec", new Http2StreamFrameToHttpObjectCodec(false)).addLast("stream", stream);
                  }
                })
            .open();
    f.addListener(
        done -> {
          if (!done.isSuccess()) {
            streamClosed(); // a stream channel that never registered gets no channelInactive
            promise.tryFailure(done.cause());
          } else if (!promise.trySuccess(stream)) {
            stream.release(false); // the acquirer gave up meanwhile
          }
        });
  }

  /** A stream's channel closed: one slot is free again. */
  void streamClosed() {
    active--;
    endpoint.openStreams().decrementAndGet();
    if (active == 0) {
      if (goingAway) {
        channel.close();
        return;
      }
      setIdle(ready && channel.isActive());
      idle.arm(idleNanos);
    }
    pool.slotFreed();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    idle = new RollingTimer(ctx.executor(), this::idleExpired);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW - Http2CodecUtil.DEFAULT_WINDOW_SIZE));
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof Http2SettingsFrame settings) {
        Long max = settings.settings().maxConcurrentStreams();
        if (max != null) {
          maxStreams = max;
        }
        if (!ready) {
          ready = true;
          setIdle(active == 0);
          idle.arm(idleNanos);
          pool.connectionReady(this);
        } else {
          pool.slotFreed(); // the limit may have grown
        }
      } else if (msg instanceof Http2GoAwayFrame) {
        // Streams up to its last stream id finish here; those above hear it themselves (H2cStream).
        goingAway = true;
        setIdle(false);
        pool.goingAway(this);
        if (active == 0) {
          ctx.close();
        }
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    idle.stop();
    setIdle(false);
    pool.closed(this);
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close(); // connection-level errors: Http2FrameCodec already sent GOAWAY; the streams fail as reset
  }

  void close() {
    channel.close();
  }

  private void setIdle(boolean nowIdle) {
    if (nowIdle != countedIdle) {
      countedIdle = nowIdle;
      if (nowIdle) {
        endpoint.idleConnections().incrementAndGet();
      } else {
        endpoint.idleConnections().decrementAndGet();
      }
    }
  }

  /** Idle for the idle timeout with no stream: close, as an idle HTTP/1.1 connection does. */
  private void idleExpired() {
    if (active == 0) {
      channel.close();
    }
  }
}
