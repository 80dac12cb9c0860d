package io.salve.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.resolver.DefaultAddressResolverGroup;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.salve.config.HostPort;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The h2c pool over real loopback sockets against Netty's HTTP/2 server codec announcing
 * SETTINGS_MAX_CONCURRENT_STREAMS 2, with two connections allowed: streams fill a connection before
 * another opens, the rest wait for a free stream or give up, a GOAWAY moves new streams to a new
 * connection, and a failed connect or a peer that never speaks HTTP/2 fails the acquire as a connect
 * failure.
 */
class H2cPoolTest {
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final EventLoop loop = group.next();
  private final Set<Channel> serverConnections = ConcurrentHashMap.newKeySet();
  private final List<Channel> accepted = new ArrayList<>();
  private Channel server;

  @AfterEach
  void tearDown() throws Exception {
    if (server != null) {
      server.close().sync();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  private int startServer(boolean speaksHttp2) throws Exception {
    server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            serverConnections.add(ch);
            synchronized (accepted) {
              accepted.add(ch);
            }
            ch.closeFuture().addListener(f -> serverConnections.remove(ch));
            if (speaksHttp2) {
              ch.pipeline().addLast(
                  Http2FrameCodecBuilder.forServer().initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(2)).build(),
                  new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                      ReferenceCountUtil.release(msg); // requests are held open: never answered
                    }
                  });
            } else {
              ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                  ReferenceCountUtil.release(msg); // a TCP peer that says nothing
                }
              });
            }
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  private H2cPool pool(int port) {
    Endpoint endpoint = new Endpoint("app", new HostPort("127.0.0.1", port), 1);
    return new H2cPool(endpoint, loop, new UpstreamSettings(
        NioSocketChannel.class, DefaultAddressResolverGroup.INSTANCE, Upstreams.upstreamDecoderConfig(), 500, 5000, 2, null));
  }

  private <T> T onLoop(Callable<T> task) throws Exception {
    return loop.submit(task).get(5, TimeUnit.SECONDS);
  }

  private Future<UpstreamStream> acquire(H2cPool pool) throws Exception {
    return onLoop(() -> pool.acquire(new H2cConnectionTest.Recorder()));
  }

  /** Acquires a stream and sends a request head on it, so that the server counts the stream. */
  private UpstreamStream stream(H2cPool pool) throws Exception {
    Future<UpstreamStream> f = acquire(pool);
    assertThat(f.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(f.cause()).isNull();
    UpstreamStream s = f.getNow();
    onLoop(() -> {
      DefaultHttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
      req.headers().set("host", "app");
      s.writeAndFlush(req);
      return null;
    });
    return s;
  }

  @Test
  void fillsAConnectionUpToThePeersLimitBeforeOpeningAnother_thenWaitsForAFreeStream() throws Exception {
    H2cPool pool = pool(startServer(true));
    List<UpstreamStream> streams = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      streams.add(stream(pool));
    }
    assertThat(accepted).as("2 connections of 2 streams").hasSize(2);
    Endpoint endpoint = streams.get(0).endpoint();
    assertThat(endpoint.openStreams().get()).isEqualTo(4);
    assertThat(endpoint.openConnections().get()).isEqualTo(2);

    Future<UpstreamStream> waiting = acquire(pool);
    assertThat(waiting.await(200, TimeUnit.MILLISECONDS)).as("all 4 streams in use: waits").isFalse();
    UpstreamStream first = streams.get(0);
    onLoop(() -> {
      first.release(false);
      return null;
    });
    assertThat(waiting.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(waiting.isSuccess()).isTrue();
    assertThat(accepted).as("the freed stream's connection took it").hasSize(2);
    assertThat(waiting.getNow().isReused()).isTrue();
  }

  @Test
  void aWaiterGivesUpAfterTheConnectTimeout() throws Exception {
    H2cPool pool = pool(startServer(true));
    for (int i = 0; i < 4; i++) {
      stream(pool);
    }
    Future<UpstreamStream> waiting = acquire(pool);
    assertThat(waiting.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(waiting.cause()).isInstanceOf(PoolExhaustedException.class);
  }

  @Test
  void aWaiterThatGaveUpDoesNotHoldBackTheNextAcquire() throws Exception {
    H2cPool pool = pool(startServer(true));
    List<UpstreamStream> streams = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      streams.add(stream(pool));
    }
    Future<UpstreamStream> gaveUp = acquire(pool);
    assertThat(gaveUp.await(5, TimeUnit.SECONDS)).isTrue();
    UpstreamStream freed = streams.get(0);
    onLoop(() -> {
      freed.release(false);
      return null;
    });
    await().atMost(Duration.ofSeconds(5)).until(() -> onLoop(() -> freed.endpoint().openStreams().get() == 3));
    Future<UpstreamStream> next = acquire(pool);
    assertThat(next.await(200, TimeUnit.MILLISECONDS)).as("a stream is free: no wait").isTrue();
    assertThat(next.isSuccess()).isTrue();
  }

  @Test
  void afterGoAwayNewStreamsGoToANewConnection_andTheOldOneClosesWhenItsStreamsEnd() throws Exception {
    H2cPool pool = pool(startServer(true));
    UpstreamStream old = stream(pool);
    await().atMost(Duration.ofSeconds(5)).until(() -> accepted.size() == 1);
    Channel first = accepted.get(0);
    first.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR)).sync();
    await().atMost(Duration.ofSeconds(5)).until(() -> onLoop(() -> {
      H2cConnection c = ((H2cStream) old).channel().parent().pipeline().get(H2cConnection.class);
      return c.isGoingAway();
    }));
    UpstreamStream fresh = stream(pool);
    assertThat(accepted).hasSize(2);
    assertThat(((H2cStream) fresh).channel().parent()).isNotSameAs(((H2cStream) old).channel().parent());
    assertThat(serverConnections).as("the old connection still carries its stream").contains(first);
    onLoop(() -> {
      old.release(false);
      return null;
    });
    await().atMost(Duration.ofSeconds(5)).until(() -> !serverConnections.contains(first));
  }

  @Test
  void aRefusedConnectFailsTheAcquireAsAConnectFailure() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Future<UpstreamStream> f = acquire(pool(port));
    assertThat(f.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(f.cause()).isInstanceOf(ConnectException.class);
  }

  @Test
  void aPeerThatNeverSendsSettingsIsAConnectFailure() throws Exception {
    Future<UpstreamStream> f = acquire(pool(startServer(false)));
    assertThat(f.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(f.cause()).as("closed at the connect timeout, not given up as overloaded")
        .isInstanceOf(ConnectException.class);
  }
}
