package io.salve.proxy.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.salve.config.ListenerLimits;
import io.salve.proxy.forward.ClientRequestReceiver;
import io.salve.proxy.forward.Http2StreamAdapter;
import io.salve.proxy.forward.ListenerContext;
import io.salve.proxy.forward.ListenerSlot;
import io.salve.proxy.transport.OneMessagePerRead;

/**
 * Turns a client connection into an HTTP/2 one: Netty's frame codec and stream multiplexer, then
 * {@link Http2ConnectionGuard}; each stream a child channel whose pipeline ends in the same request
 * receiver as an HTTP/1.1 connection's:
 *
 * <pre>
 * connection: flush → h2 (Http2FrameCodec) → h2mux (Http2MultiplexHandler) → h2guard
 * stream:     h2http (Http2StreamFrameToHttpObjectCodec) → h2adapt → flow → receiver
 * </pre>
 *
 * <p>The defences are Netty's, set here: SETTINGS advertise {@code maxConcurrentStreams} (more are
 * refused with REFUSED_STREAM) and {@code MAX_HEADER_LIST_SIZE} = the listener's {@code
 * maxHeaderSize} (a larger decoded header list gets 431, far larger ends the connection, which also
 * bounds a CONTINUATION flood); at most {@value #MAX_RESETS} RST_STREAM per {@value
 * #RESET_WINDOW_SECONDS}s (rapid reset, CVE-2023-44487) and at most {@value #MAX_QUEUED_CONTROL}
 * queued control-frame answers (SETTINGS and PING floods against a client that does not read), each
 * beyond ending the connection with GOAWAY ENHANCE_YOUR_CALM; validated headers (connection-specific
 * fields and bad pseudo-headers are stream errors).
 *
 * <p>Flow control: each stream's receive window is {@value #STREAM_WINDOW} bytes and opens only as the
 * receiver consumes request parts, which it does only as fast as the upstream takes them; the
 * connection window is that times {@code maxConcurrentStreams} (capped at {@value #MAX_CONNECTION_WINDOW}
 * bytes), so one stalled stream never stalls the others. The connection itself reads freely.
 *
 * <p>A future ALPN {@code h2} hook on TLS listeners would call {@link #install} after the handshake.
 */
final class Http2Connections {
  static final int MAX_RESETS = 200;
  static final int RESET_WINDOW_SECONDS = 30;
  static final int MAX_QUEUED_CONTROL = 10_000;
  static final int STREAM_WINDOW = 65_535;
  static final int MAX_CONNECTION_WINDOW = 16 << 20;

  private Http2Connections() {}

  /**
   * Replaces the HTTP/1.1 handlers after {@code at} with the HTTP/2 ones. Bytes already read and
   * still held by {@code at}'s handler reach the codec once that handler is removed.
   */
  static void install(ChannelHandlerContext at, ListenerSlot slot) {
    ChannelPipeline p = at.pipeline();
    for (String name : ListenerInitializer.HTTP1_HANDLERS) {
      if (p.get(name) != null) {
        p.remove(name);
      }
    }
    ListenerContext listener = slot.current();
    ListenerLimits limits = listener.limits();
    int maxStreams = listener.protocols().maxConcurrentStreams();
    Http2FrameCodec codec =
        Http2FrameCodecBuilder.forServer()
            .initialSettings(
                Http2Settings.defaultSettings()
                    .maxConcurrentStreams(maxStreams)
                    .maxHeaderListSize(limits.maxHeaderSize())
                    .initialWindowSize(STREAM_WINDOW))
            .validateHeaders(true)
            .decoderEnforceMaxRstFramesPerWindow(MAX_RESETS, RESET_WINDOW_SECONDS)
            .encoderEnforceMaxQueuedControlFrames(MAX_QUEUED_CONTROL)
            .gracefulShutdownTimeoutMillis(0) // the guard waits for streams; a close is a close
            .build();
    p.addAfter(at.name(), "h2", codec);
    p.addAfter("h2", "h2mux", new Http2MultiplexHandler(new StreamInitializer(slot)));
    p.addAfter("h2mux", "h2guard", new Http2ConnectionGuard(codec.connection(), limits.idleTimeout().toMillis()));
    Http2Connection connection = codec.connection();
    long window = Math.min((long) STREAM_WINDOW * maxStreams, MAX_CONNECTION_WINDOW);
    try {
      connection.local().flowController().incrementWindowSize(connection.connectionStream(), (int) window - STREAM_WINDOW);
    } catch (Exception e) {
      throw new IllegalStateException("cannot widen the HTTP/2 connection window", e);
    }
    at.channel().config().setAutoRead(true);
  }

  /** The pipeline of each stream a client opens. */
  private static final class StreamInitializer extends ChannelInitializer<Http2StreamChannel> {
    private final ListenerSlot slot;

    StreamInitializer(ListenerSlot slot) {
      this.slot = slot;
    }

    @Override
    protected void initChannel(Http2StreamChannel ch) {
      ch.config().setAutoRead(false); // the receiver reads as the exchange asks
      ChannelPipeline p = ch.pipeline();
      p.addLast("h2http", new Http2StreamFrameToHttpObjectCodec(true));
      p.addLast("h2adapt", new Http2StreamAdapter());
      p.addLast("flow", new OneMessagePerRead());
      p.addLast("receiver", ClientRequestReceiver.forStream(slot));
    }
  }
}
