package io.salve.proxy.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TunnelTest {
  private final AtomicLong now = new AtomicLong(1_000);
  private final List<Tunnel.End> ends = new ArrayList<>();
  private final ReadCounter clientReads = new ReadCounter();
  private final ReadCounter upstreamReads = new ReadCounter();
  private final EmbeddedChannel client = new EmbeddedChannel(clientReads);
  private final EmbeddedChannel upstream = new EmbeddedChannel(upstreamReads);

  @AfterEach
  void releaseEverything() {
    client.finishAndReleaseAll();
    upstream.finishAndReleaseAll();
  }

  private Tunnel open() {
    return Tunnel.open(client, upstream, now::get, Duration.ofSeconds(60), (t, e) -> ends.add(e));
  }

  private static ByteBuf bytes(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
  }

  private static String drain(EmbeddedChannel ch) {
    StringBuilder out = new StringBuilder();
    for (Object o; (o = ch.readOutbound()) != null; ) {
      ByteBuf b = (ByteBuf) o;
      out.append(b.toString(StandardCharsets.US_ASCII));
      b.release();
    }
    return out.toString();
  }

  @Test
  void relaysBytesBothWaysAndCountsThem() {
    Tunnel tunnel = open();

    client.writeInbound(bytes("ping"));
    upstream.writeInbound(bytes("pong!"));

    assertThat(drain(upstream)).isEqualTo("ping");
    assertThat(drain(client)).isEqualTo("pong!");
    assertThat(tunnel.bytesToUpstream()).isEqualTo(4);
    assertThat(tunnel.bytesToClient()).isEqualTo(5);
    assertThat(client.config().isAutoRead()).isFalse();
    assertThat(upstream.config().isAutoRead()).isFalse();
    assertThat(ends).isEmpty();
  }

  @Test
  void theNextReadIsAskedForOnlyOnceThePeerTookTheWrite() {
    HeldWrites held = new HeldWrites();
    upstream.pipeline().addFirst(held);
    open();
    int readsAtOpen = clientReads.count;

    client.writeInbound(bytes("big"));

    assertThat(clientReads.count).isEqualTo(readsAtOpen);
    held.completeAll();
    assertThat(clientReads.count).isEqualTo(readsAtOpen + 1);
  }

  @Test
  void closeFromEitherSideClosesTheOther() {
    open();

    upstream.close();

    assertThat(client.isOpen()).isFalse();
    assertThat(ends).containsExactly(Tunnel.End.UPSTREAM_CLOSED);
  }

  @Test
  void clientCloseIsReportedOnce() {
    Tunnel tunnel = open();

    client.close();
    tunnel.close(Tunnel.End.DRAIN);

    assertThat(upstream.isOpen()).isFalse();
    assertThat(ends).containsExactly(Tunnel.End.CLIENT_CLOSED);
  }

  @Test
  void bytesArrivingAfterTheTunnelClosedAreReleased() {
    Tunnel tunnel = open();
    ChannelHandlerContext relay = client.pipeline().context(Tunnel.CLIENT_RELAY);
    tunnel.close(Tunnel.End.DRAIN);
    ByteBuf late = bytes("late");

    ((TunnelRelay) relay.handler()).channelRead(relay, late);

    assertThat(late.refCnt()).isZero();
    assertThat(tunnel.bytesToUpstream()).isZero();
  }

  @Test
  void drainClosesBothSides() {
    Tunnel tunnel = open();

    tunnel.close(Tunnel.End.DRAIN);

    assertThat(client.isOpen()).isFalse();
    assertThat(upstream.isOpen()).isFalse();
    assertThat(tunnel.isClosed()).isTrue();
    assertThat(ends).containsExactly(Tunnel.End.DRAIN);
  }

  @Test
  void theDrainDeadlineEventEndsTheTunnelAsDrained() {
    Tunnel tunnel = open();
    client.pipeline().fireUserEventTriggered(io.salve.proxy.transport.DrainEvent.INSTANCE);
    assertThat(tunnel.isClosed()).as("the drain's start lets a tunnel run on").isFalse();

    client.pipeline().fireUserEventTriggered(io.salve.proxy.transport.DrainEvent.DEADLINE);
    client.close(); // what the server does right after the event

    assertThat(upstream.isOpen()).isFalse();
    assertThat(ends).containsExactly(Tunnel.End.DRAIN);
  }

  @Test
  void idleTimeoutIsMeasuredFromTheLastRelayedByte() {
    open();

    now.addAndGet(TimeUnit.SECONDS.toNanos(40));
    client.writeInbound(bytes("x"));
    now.addAndGet(TimeUnit.SECONDS.toNanos(20));
    client.advanceTimeBy(60, TimeUnit.SECONDS);
    client.runScheduledPendingTasks();

    assertThat(client.isOpen()).isTrue();

    now.addAndGet(TimeUnit.SECONDS.toNanos(40));
    client.advanceTimeBy(40, TimeUnit.SECONDS);
    client.runScheduledPendingTasks();

    assertThat(client.isOpen()).isFalse();
    assertThat(upstream.isOpen()).isFalse();
    assertThat(ends).containsExactly(Tunnel.End.IDLE_TIMEOUT);
  }

  @ParameterizedTest
  @ValueSource(strings = {"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n", ""})
  void bytesBehindThe101HeadInTheSameReadReachTheClient(String acceptField) {
    EmbeddedChannel up = new EmbeddedChannel(new HttpClientCodec(), new OpenOn101());
    try {
      // The codec must have seen a request to decode a response.
      up.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/ws"));
      drain(up);

      up.writeInbound(
          bytes(
              "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  + acceptField
                  + "\r\n#2hi"));

      assertThat(drain(client)).isEqualTo("#2hi");
      assertThat(up.pipeline().get(HttpClientCodec.class)).isNull();
      assertThat((Object) up.readInbound()).isNull();
    } finally {
      up.finishAndReleaseAll();
    }
  }

  /** What the exchange does on a 101: open the tunnel, then drop the HTTP handlers. */
  private final class OpenOn101 extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      assertThat(msg).isInstanceOf(HttpResponse.class);
      assertThat(((HttpResponse) msg).status().code()).isEqualTo(101);
      ReferenceCountUtil.release(msg);
      Tunnel.open(client, ctx.channel(), now::get, Duration.ofSeconds(60), (t, e) -> ends.add(e));
      // This handler first: removing the codec hands its leftover bytes on at once, and they must
      // reach the relay, not this handler.
      ctx.pipeline().remove(this);
      ctx.pipeline().remove(HttpClientCodec.class);
    }
  }

  /** Counts read() requests passing outbound through the channel. */
  private static final class ReadCounter extends ChannelOutboundHandlerAdapter {
    int count;

    @Override
    public void read(ChannelHandlerContext ctx) {
      count++;
      ctx.read();
    }
  }

  /** Holds writes back like a peer whose socket buffer is full. */
  private static final class HeldWrites extends ChannelOutboundHandlerAdapter {
    private final List<Object> messages = new ArrayList<>();
    private final List<ChannelPromise> promises = new ArrayList<>();
    private ChannelHandlerContext ctx;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      this.ctx = ctx;
      messages.add(msg);
      promises.add(promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {}

    void completeAll() {
      for (int i = 0; i < messages.size(); i++) {
        ctx.writeAndFlush(messages.get(i), promises.get(i));
      }
      messages.clear();
      promises.clear();
    }
  }
}
