package io.salve.proxy.health.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.resolver.DefaultAddressResolverGroup;
import io.netty.util.ReferenceCountUtil;
import io.salve.config.HealthCheckConfig.StatusRange;
import io.salve.config.HostPort;
import io.salve.proxy.health.ProbeResult;
import io.salve.proxy.upstream.Endpoint;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The h2c HTTP probe against Netty's HTTP/2 server codec over loopback. */
class H2cProberTest {
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final List<Http2HeadersFrame> requests = new CopyOnWriteArrayList<>();
  private Channel server;

  @AfterEach
  void tearDown() throws Exception {
    if (server != null) {
      server.close().sync();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  /** @param status the answer's status, or null to reset the stream instead */
  private int serve(String status) throws Exception {
    server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(), new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof Http2HeadersFrame h) {
                  requests.add(h);
                  ctx.writeAndFlush(status == null
                      ? new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR).stream(h.stream())
                      : new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status(status), true).stream(h.stream()));
                }
                ReferenceCountUtil.release(msg);
              }
            });
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  private ProbeResult probe(int port) throws Exception {
    HttpProber http = new HttpProber(
        NioSocketChannel.class, DefaultAddressResolverGroup.INSTANCE, Duration.ofSeconds(2), "/healthz", new StatusRange(200, 299));
    H2cProber prober = new H2cProber(NioSocketChannel.class, DefaultAddressResolverGroup.INSTANCE, Duration.ofSeconds(2), http);
    CompletableFuture<ProbeResult> result = new CompletableFuture<>();
    Endpoint endpoint = new Endpoint("app", new HostPort("127.0.0.1", port), 1);
    var loop = group.next();
    loop.execute(() -> prober.probe(endpoint, loop, result::complete));
    return result.get(5, TimeUnit.SECONDS);
  }

  @Test
  void passesOnAnExpectedStatus_spokenAsHttp2() throws Exception {
    ProbeResult r = probe(serve("204"));
    assertThat(r.passed()).as("%s", r).isTrue();
    assertThat(requests).singleElement().satisfies(h -> {
      assertThat(h.headers().method().toString()).isEqualTo("GET");
      assertThat(h.headers().path().toString()).isEqualTo("/healthz");
      assertThat(h.headers().get("user-agent").toString()).isEqualTo("salve-health");
      assertThat(h.headers().contains("connection")).isFalse();
    });
  }

  @Test
  void failsOnAnotherStatus() throws Exception {
    ProbeResult r = probe(serve("503"));
    assertThat(r.passed()).isFalse();
    assertThat(r.toString()).contains("503");
  }

  @Test
  void failsWhenTheStreamIsReset() throws Exception {
    ProbeResult r = probe(serve(null));
    assertThat(r.passed()).isFalse();
    assertThat(r.toString()).contains("stream closed before a response");
  }
}
