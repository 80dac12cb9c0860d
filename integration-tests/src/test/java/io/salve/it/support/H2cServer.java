package io.salve.it.support;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real cleartext HTTP/2 (prior knowledge) server for tests, on Netty's HTTP/2 codec, that records
 * what it sees (connections, streams, concurrency, request headers as HTTP/2 fields) and answers by
 * path:
 *
 * <ul>
 *   <li>{@code /hello}: 200 {@code hello} with a content-length
 *   <li>{@code /echo}: 200 without content-length, the request body echoed as it arrives, then the
 *       trailer {@code x-echo-bytes}
 *   <li>{@code /slow/<ms>}: 200 {@code slow} after that many milliseconds
 *   <li>{@code /trailers}: 200 {@code body} with trailers {@code grpc-status: 0} and {@code x-trailer}
 *   <li>{@code /big/<bytes>}: that many bytes, written only while the stream is writable
 *   <li>{@code /sink/<ms>}: reads nothing of the request body for that many milliseconds (so flow
 *       control holds the sender back), then reads it all and answers its length
 *   <li>{@code /reset}: RST_STREAM INTERNAL_ERROR; {@code /refuse/<key>}: RST_STREAM REFUSED_STREAM
 *       the first time the key is seen, 200 {@code ok} after
 * </ul>
 */
public final class H2cServer implements AutoCloseable {
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;
  private final Set<Channel> connections = ConcurrentHashMap.newKeySet();
  private final AtomicInteger connectionsAccepted = new AtomicInteger();
  private final AtomicInteger streams = new AtomicInteger();
  private final AtomicInteger activeStreams = new AtomicInteger();
  private final AtomicInteger maxActiveStreams = new AtomicInteger();
  private final AtomicLong bigWritten = new AtomicLong();
  private final List<Map<String, String>> heads = new CopyOnWriteArrayList<>();
  private final Map<Long, CompletableFuture<Void>> pings = new ConcurrentHashMap<>();
  private final AtomicLong pingIds = new AtomicLong();
  private final Set<String> refused = ConcurrentHashMap.newKeySet();
  private final List<Long> resetsReceived = new CopyOnWriteArrayList<>();

  /** @param maxConcurrentStreams the SETTINGS_MAX_CONCURRENT_STREAMS announced, or 0 for none */
  public H2cServer(long maxConcurrentStreams) throws InterruptedException {
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    connectionsAccepted.incrementAndGet();
                    connections.add(ch);
                    ch.closeFuture().addListener(f -> connections.remove(ch));
                    Http2Settings settings = Http2Settings.defaultSettings();
                    if (maxConcurrentStreams > 0) {
                      settings.maxConcurrentStreams(maxConcurrentStreams);
                    }
                    ch.pipeline()
                        .addLast("raw", new ChannelOutboundHandlerAdapter())
                        .addLast(Http2FrameCodecBuilder.forServer().initialSettings(settings).build())
                        .addLast(new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                          @Override
                          protected void initChannel(Http2StreamChannel stream) {
                            stream.pipeline()
                                .addLast(new HeadRecorder())
                                .addLast(new Http2StreamFrameToHttpObjectCodec(true))
                                .addLast(new Answer());
                          }
                        }))
                        .addLast(new PingAcks());
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
  }

  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** @return connections accepted so far. */
  public int connectionsAccepted() {
    return connectionsAccepted.get();
  }

  /** @return connections open now. */
  public int openConnections() {
    return connections.size();
  }

  /** @return streams opened so far. */
  public int streams() {
    return streams.get();
  }

  /** @return the most streams ever open at once, over all connections. */
  public int maxActiveStreams() {
    return maxActiveStreams.get();
  }

  /** @return bytes of {@code /big} bodies written so far. */
  public long bigWritten() {
    return bigWritten.get();
  }

  /** @return the error codes of the RST_STREAM frames received from the client. */
  public List<Long> resetsReceived() {
    return resetsReceived;
  }

  /** @return the request HEADERS received, each as its HTTP/2 fields (pseudo-headers included). */
  public List<Map<String, String>> heads() {
    return heads;
  }

  /**
   * Sends GOAWAY (NO_ERROR) on every open connection, as a server shutting down gracefully does: its
   * last stream id leaves room for the streams already on their way, which finish with the rest.
   */
  public CompletableFuture<Void> goAwayAll() {
    List<CompletableFuture<Void>> acks = new ArrayList<>();
    for (Channel c : connections) {
      // A PING right behind the GOAWAY: its ACK proves the peer has read the GOAWAY (frames are read
      // in order), so what the peer sends after the returned future completes knows of it.
      long id = pingIds.incrementAndGet();
      CompletableFuture<Void> ack = new CompletableFuture<>();
      pings.put(id, ack);
      acks.add(ack);
      c.eventLoop().execute(() -> {
        c.write(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR).setExtraStreamIds(100));
        c.writeAndFlush(new DefaultHttp2PingFrame(id));
      });
    }
    return CompletableFuture.allOf(acks.toArray(new CompletableFuture<?>[0]));
  }

  /** Completes {@link #goAwayAll}'s futures as the peer acknowledges their PINGs. */
  private final class PingAcks extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Http2PingFrame ping && ping.ack()) {
        CompletableFuture<Void> ack = pings.remove(ping.content());
        if (ack != null) {
          ack.complete(null);
        }
        return;
      }
      ctx.fireChannelRead(msg);
    }
  }

  /**
   * Writes a raw GOAWAY (NO_ERROR) with last stream id 0 on every open connection, past the codec
   * (which only sends the true last stream id): to the client, none of its streams was processed.
   * The server's own codec does not know, and answers what it already has; the client ignores it.
   */
  public void goAwayProcessingNothing() {
    for (Channel c : connections) {
      c.eventLoop().execute(() -> {
        ByteBuf frame = Unpooled.buffer(17)
            .writeMedium(8).writeByte(0x7).writeByte(0).writeInt(0) // length, GOAWAY, no flags, stream 0
            .writeInt(0).writeInt(0); // last stream id 0, NO_ERROR
        c.pipeline().context("raw").writeAndFlush(frame);
      });
    }
  }

  @Override
  public void close() throws InterruptedException {
    server.close().sync();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  private final class HeadRecorder extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Http2HeadersFrame h && heads.size() < 10_000 && h.headers().method() != null) {
        Map<String, String> fields = new ConcurrentHashMap<>();
        h.headers().forEach(e -> fields.merge(e.getKey().toString(), e.getValue().toString(), (a, b) -> a + "," + b));
        heads.add(fields);
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof Http2ResetFrame reset) {
        resetsReceived.add(reset.errorCode());
      }
      ctx.fireUserEventTriggered(evt);
    }
  }

  private final class Answer extends ChannelInboundHandlerAdapter {
    private String path;
    private long echoed;
    private long bigLeft;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      streams.incrementAndGet();
      int now = activeStreams.incrementAndGet();
      maxActiveStreams.accumulateAndGet(now, Math::max);
      ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      activeStreams.decrementAndGet();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof HttpRequest req) {
          path = req.uri();
          if (path.equals("/echo")) {
            ctx.writeAndFlush(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
          } else if (path.startsWith("/sink/")) {
            ctx.channel().config().setAutoRead(false);
            ctx.executor().schedule(() -> {
              ctx.channel().config().setAutoRead(true);
              ctx.read();
            }, Long.parseLong(path.substring(6)), TimeUnit.MILLISECONDS);
          } else if (path.equals("/reset")) {
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR));
            return;
          } else if (path.startsWith("/refuse/") && refused.add(path)) {
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM));
            return;
          }
        }
        if (msg instanceof HttpContent c && path.startsWith("/sink/")) {
          echoed += c.content().readableBytes();
        }
        if (msg instanceof HttpContent c && path.equals("/echo")) {
          echoed += c.content().readableBytes();
          if (c.content().isReadable()) {
            ctx.writeAndFlush(new DefaultHttpContent(c.content().retain()));
          }
        }
        if (msg instanceof LastHttpContent) {
          respond(ctx);
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void respond(ChannelHandlerContext ctx) {
      if (path.equals("/echo")) {
        LastHttpContent end = new DefaultLastHttpContent();
        end.trailingHeaders().set("x-echo-bytes", Long.toString(echoed));
        ctx.writeAndFlush(end);
      } else if (path.equals("/trailers")) {
        ctx.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        ctx.write(new DefaultHttpContent(Unpooled.copiedBuffer("body", StandardCharsets.US_ASCII)));
        LastHttpContent end = new DefaultLastHttpContent();
        end.trailingHeaders().set("grpc-status", "0").set("x-trailer", "yes");
        ctx.writeAndFlush(end);
      } else if (path.startsWith("/slow/")) {
        ctx.executor().schedule(() -> text(ctx, "slow"), Long.parseLong(path.substring(6)), TimeUnit.MILLISECONDS);
      } else if (path.startsWith("/big/")) {
        bigLeft = Long.parseLong(path.substring(5));
        ctx.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        writeBig(ctx);
      } else if (path.startsWith("/refuse/")) {
        text(ctx, "ok");
      } else if (path.startsWith("/sink/")) {
        text(ctx, Long.toString(echoed));
      } else if (path.equals("/hello")) {
        text(ctx, "hello");
      } else {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        ctx.writeAndFlush(r);
      }
    }

    private void text(ChannelHandlerContext ctx, String body) {
      ByteBuf b = Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII);
      FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, b);
      r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, b.readableBytes());
      ctx.writeAndFlush(r);
    }

    /** Writes while the stream can take more: flow control holds the rest back. */
    private void writeBig(ChannelHandlerContext ctx) {
      while (bigLeft > 0 && ctx.channel().isWritable()) {
        int n = (int) Math.min(16 * 1024, bigLeft);
        bigLeft -= n;
        bigWritten.addAndGet(n);
        ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[n])));
        ctx.flush();
      }
      if (bigLeft == 0) {
        bigLeft = -1;
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (bigLeft > 0) {
        writeBig(ctx);
      }
      ctx.fireChannelWritabilityChanged();
    }
  }
}
