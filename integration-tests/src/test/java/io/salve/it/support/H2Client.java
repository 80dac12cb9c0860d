package io.salve.it.support;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A cleartext HTTP/2 client with prior knowledge on Netty's codec, for tests: one connection, any
 * number of streams. Each stream's answer is collected whole ({@link Response}); a stream the server
 * resets completes with its error code. GOAWAY from the server completes {@link #goAway()}.
 */
public final class H2Client implements AutoCloseable {
  /** A stream's outcome: the response, or the RST_STREAM code when {@code reset >= 0}. */
  public record Response(int status, Http2Headers headers, byte[] body, long reset) {
    public String text() {
      return new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }

    public String header(String name) {
      CharSequence v = headers == null ? null : headers.get(name);
      return v == null ? null : v.toString();
    }
  }

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final CompletableFuture<Long> goAway = new CompletableFuture<>();
  private final Channel channel;

  public H2Client(int port) throws InterruptedException {
    channel =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().autoAckSettingsFrame(true).build());
                    ch.pipeline().addLast(new Http2MultiplexHandler(new SimpleChannelInboundHandler<Object>() {
                      @Override
                      protected void channelRead0(ChannelHandlerContext ctx, Object msg) {}
                    }));
                    ch.pipeline().addLast(new SimpleChannelInboundHandler<Object>() {
                      @Override
                      protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
                        if (msg instanceof Http2GoAwayFrame g) {
                          goAway.complete(g.errorCode());
                        }
                      }
                    });
                  }
                })
            .connect(new InetSocketAddress("127.0.0.1", port))
            .sync()
            .channel();
  }

  /** @return completes with the error code of the server's GOAWAY. */
  public CompletableFuture<Long> goAway() {
    return goAway;
  }

  public boolean isOpen() {
    return channel.isActive();
  }

  public static Http2Headers headers(String method, String path, int port) {
    return new DefaultHttp2Headers().method(method).path(path).scheme("http").authority("127.0.0.1:" + port);
  }

  /** Sends a whole request on a new stream. */
  public CompletableFuture<Response> send(Http2Headers headers, byte[] body) {
    Stream s = open();
    s.channel().thenAccept(ch -> {
      boolean hasBody = body != null && body.length > 0;
      ch.write(new DefaultHttp2HeadersFrame(headers, !hasBody));
      if (hasBody) {
        ch.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true));
      }
      ch.flush();
    });
    return s.response();
  }

  public Response get(String path, int port) throws Exception {
    return send(headers("GET", path, port), null).get(10, TimeUnit.SECONDS);
  }

  public Response send(String method, String path, int port, Map<String, String> extra, byte[] body) throws Exception {
    Http2Headers h = headers(method, path, port);
    extra.forEach(h::add);
    return send(h, body).get(20, TimeUnit.SECONDS);
  }

  /** A stream the caller writes frames to itself (streaming bodies, resets). */
  public record Stream(CompletableFuture<Http2StreamChannel> channel, CompletableFuture<Response> response) {}

  public Stream open() {
    CompletableFuture<Response> response = new CompletableFuture<>();
    CompletableFuture<Http2StreamChannel> ch = new CompletableFuture<>();
    new Http2StreamChannelBootstrap(channel)
        .handler(new Collector(response))
        .open()
        .addListener(f -> {
          if (f.isSuccess()) {
            ch.complete((Http2StreamChannel) f.getNow());
          } else {
            ch.completeExceptionally(f.cause());
            response.completeExceptionally(f.cause());
          }
        });
    return new Stream(ch, response);
  }

  /** Collects one stream's response frames. */
  private static final class Collector extends SimpleChannelInboundHandler<Http2StreamFrame> {
    private final CompletableFuture<Response> response;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private Http2Headers headers;

    Collector(CompletableFuture<Response> response) {
      this.response = response;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) {
      if (frame instanceof Http2HeadersFrame h) {
        int status = h.headers().status() == null ? 0 : Integer.parseInt(h.headers().status().toString());
        if (status >= 100 && status < 200) {
          return;
        }
        if (headers == null) {
          headers = h.headers();
        }
        if (h.isEndStream()) {
          done();
        }
      } else if (frame instanceof Http2DataFrame d) {
        body.writeBytes(ByteBufUtil.getBytes(d.content()));
        if (d.isEndStream()) {
          done();
        }
      } else if (frame instanceof Http2ResetFrame r) {
        response.complete(new Response(status(), headers, body.toByteArray(), r.errorCode()));
      } else {
        ReferenceCountUtil.retain(frame); // released by SimpleChannelInboundHandler
        ReferenceCountUtil.release(frame);
      }
    }

    private int status() {
      return headers == null ? 0 : Integer.parseInt(headers.status().toString());
    }

    private void done() {
      response.complete(new Response(status(), headers, body.toByteArray(), -1));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      response.completeExceptionally(new IllegalStateException("stream closed without a response"));
      ctx.fireChannelInactive();
    }
  }

  @Override
  public void close() {
    channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
  }
}
