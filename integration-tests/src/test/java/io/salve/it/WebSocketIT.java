package io.salve.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.salve.it.support.Http;
import io.salve.it.support.SalveProcess;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * WebSocket upgrades through the real jar: a Netty WebSocket echo server behind salve and the JDK's
 * WebSocket client in front. Other upgrade tokens are served as plain HTTP with Upgrade stripped.
 */
class WebSocketIT {
  private EventLoopGroup group;
  private Channel server;

  @BeforeEach
  void startEchoServer() throws Exception {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(65536))
                        .addLast(new WebSocketServerProtocolHandler("/ws"))
                        .addLast(new Echo())
                        .addLast(new PlainAnswer());
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
  }

  @AfterEach
  void stopEchoServer() throws Exception {
    server.close().sync();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  private int serverPort() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  private String config() {
    return config("");
  }

  /** @param routeExtra more keys of the route, as a flow-style suffix like {@code ", upgradeIdleTimeout: 1s"} */
  private String config(String routeExtra) {
    return """
        drainTimeout: 2s
        admin: { address: 127.0.0.1:0 }
        listeners:
          - name: egress
            address: 127.0.0.1:0
            routes:
              - { match: { pathPrefix: / }, upstream: backend, timeout: 2s%s }
        upstreams:
          backend:
            endpoints: [127.0.0.1:%d]
        """
        .formatted(routeExtra, serverPort());
  }

  @Test
  void textAndBinaryMessagesEchoBothWaysThenTheClientCloses() throws Exception {
    try (SalveProcess salve = SalveProcess.start(config())) {
      Collector collector = new Collector();
      WebSocket ws =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .buildAsync(URI.create("ws://127.0.0.1:" + salve.port("egress") + "/ws"), collector)
              .get(10, TimeUnit.SECONDS);

      ws.sendText("hello", true).get(5, TimeUnit.SECONDS);
      assertThat(collector.messages.poll(10, TimeUnit.SECONDS)).isEqualTo("text:hello");
      ws.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}), true).get(5, TimeUnit.SECONDS);
      assertThat(collector.messages.poll(10, TimeUnit.SECONDS)).isEqualTo("binary:3");
      // Longer than the route timeout: the timeout covered the handshake only.
      await().pollDelay(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5)).until(() -> true);
      ws.sendText("still here", true).get(5, TimeUnit.SECONDS);
      assertThat(collector.messages.poll(10, TimeUnit.SECONDS)).isEqualTo("text:still here");

      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
      assertThat(collector.closed.get(10, TimeUnit.SECONDS)).isEqualTo(WebSocket.NORMAL_CLOSURE);
      await().atMost(Duration.ofSeconds(10)).until(() -> salve.stdout().contains("\"status\":101"));
    }
  }

  @Test
  void theDrainWaitsForAnOpenTunnelUpToDrainTimeoutThenClosesIt() throws Exception {
    try (SalveProcess salve = SalveProcess.start(config())) {
      Collector collector = new Collector();
      WebSocket ws =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .buildAsync(URI.create("ws://127.0.0.1:" + salve.port("egress") + "/ws"), collector)
              .get(10, TimeUnit.SECONDS);

      salve.terminate(); // SIGTERM: the drain starts
      await().atMost(Duration.ofSeconds(5)).until(() -> salve.stderr().contains("draining"));
      ws.sendText("during the drain", true).get(5, TimeUnit.SECONDS);
      assertThat(collector.messages.poll(10, TimeUnit.SECONDS)).isEqualTo("text:during the drain");

      collector.gone.get(10, TimeUnit.SECONDS);
      assertThat(salve.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(salve.process().exitValue()).isZero();
      assertThat(salve.stderr()).contains("drain timeout reached").contains("closed 1 request still in flight");
    }
  }

  @Test
  void anIdleTunnelIsClosedAfterUpgradeIdleTimeout() throws Exception {
    try (SalveProcess salve = SalveProcess.start(config(", upgradeIdleTimeout: 1s"))) {
      Collector collector = new Collector();
      WebSocket ws =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .buildAsync(URI.create("ws://127.0.0.1:" + salve.port("egress") + "/ws"), collector)
              .get(10, TimeUnit.SECONDS);
      ws.sendText("once", true).get(5, TimeUnit.SECONDS);
      assertThat(collector.messages.poll(10, TimeUnit.SECONDS)).isEqualTo("text:once");

      // Nothing moves: salve closes both connections without a close frame.
      collector.gone.get(10, TimeUnit.SECONDS);
      // 1006: the JDK's code for a connection that ended without a close frame.
      assertThat(collector.closed.getNow(WebSocket.NORMAL_CLOSURE + 5)).isEqualTo(1006);
      int admin = salve.adminPort();
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
          assertThat(Http.metric(admin, "salve_tunnels_closed_total", "listener=egress", "end=idle_timeout")).isEqualTo(1.0));
      assertThat(Http.metric(admin, "salve_tunnels_opened_total", "listener=egress")).isEqualTo(1.0);
      assertThat(Http.metric(admin, "salve_tunnels_open", "listener=egress")).isEqualTo(0.0);
      assertThat(Http.metric(admin, "salve_tunnels_closed_total", "listener=egress", "end=client_closed")).isEqualTo(0.0);
      // The masked "once" text frame went up (4-byte mask), the unmasked echo came back.
      assertThat(Http.metric(admin, "salve_tunnel_bytes_total", "listener=egress", "direction=to_upstream")).isGreaterThan(4.0);
      assertThat(Http.metric(admin, "salve_tunnel_bytes_total", "listener=egress", "direction=to_client")).isGreaterThan(4.0);
    }
  }

  @Test
  void aRouteWithoutWebsocketInItsUpgradesServesTheHandshakeAsPlainHttp() throws Exception {
    try (SalveProcess salve = SalveProcess.start(config(", upgrades: [foo]"))) {
      try (Socket s = new Socket("127.0.0.1", salve.port("egress"))) {
        s.setSoTimeout(10_000);
        OutputStream out = s.getOutputStream();
        out.write(
            ("GET /plain HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade, close\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String answer = readAll(s.getInputStream());
        assertThat(answer).startsWith("HTTP/1.1 200");
        assertThat(answer).endsWith("upgrade=none");
      }
    }
  }

  @Test
  void anotherUpgradeTokenIsServedAsPlainHttpWithUpgradeStripped() throws Exception {
    try (SalveProcess salve = SalveProcess.start(config())) {
      try (Socket s = new Socket("127.0.0.1", salve.port("egress"))) {
        s.setSoTimeout(10_000);
        OutputStream out = s.getOutputStream();
        out.write(
            ("GET /plain HTTP/1.1\r\nHost: x\r\nUpgrade: foo\r\nConnection: upgrade, close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String answer = readAll(s.getInputStream());
        assertThat(answer).startsWith("HTTP/1.1 200");
        assertThat(answer).endsWith("upgrade=none");
      }
    }
  }

  private static String readAll(InputStream in) throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    in.transferTo(buf);
    return buf.toString(StandardCharsets.US_ASCII);
  }

  /** Echoes text and binary frames; close and ping are handled by the protocol handler. */
  private static final class Echo extends SimpleChannelInboundHandler<WebSocketFrame> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
      if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
        ctx.writeAndFlush(frame.retainedDuplicate());
      }
    }
  }

  /** Answers a plain request with the Upgrade field it received, if any. */
  private static final class PlainAnswer extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      String upgrade = req.headers().get(HttpHeaderNames.UPGRADE);
      byte[] body = ("upgrade=" + (upgrade == null ? "none" : upgrade)).getBytes(StandardCharsets.US_ASCII);
      DefaultFullHttpResponse r =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
      HttpUtil.setContentLength(r, body.length);
      ctx.writeAndFlush(r);
    }
  }

  private static final class Collector implements WebSocket.Listener {
    final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    /** Completes when the connection ends, with a close frame or without one. */
    final CompletableFuture<Void> gone = new CompletableFuture<>();
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        messages.add("text:" + text);
        text.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      messages.add("binary:" + data.remaining());
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      closed.complete(statusCode);
      gone.complete(null);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      gone.complete(null);
    }
  }
}
