package io.salve.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.resolver.DefaultAddressResolverGroup;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Promise;
import io.salve.config.HostPort;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One h2c connection and its streams against a real HTTP/2 server codec, both on {@code
 * EmbeddedChannel}s with the bytes pumped between them: when it takes streams (after SETTINGS, under
 * the peer's limit, not after GOAWAY), how streams map onto {@code HttpObject}s, and what a reset, a
 * refused stream or a GOAWAY tells the exchange.
 */
class H2cConnectionTest {
  private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final Endpoint endpoint = new Endpoint("app", new HostPort("127.0.0.1", 7001), 1);
  private final List<Object> serverHeard = new ArrayList<>();
  private final EmbeddedChannel server =
      new EmbeddedChannel(
          Http2FrameCodecBuilder.forServer().initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(2)).build(),
          new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
              serverHeard.add(msg);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
              serverHeard.add(cause); // the codec answered it on the wire already
            }
          });
  private final EmbeddedChannel client = new EmbeddedChannel(DefaultChannelId.newInstance(), false, false);
  private final H2cPool pool =
      new H2cPool(endpoint, server.eventLoop(), new UpstreamSettings( // the pool connects nothing here
          EmbeddedChannel.class, DefaultAddressResolverGroup.INSTANCE, Upstreams.upstreamDecoderConfig(), 1000, 5000, 4, null));
  private final H2cConnection connection = new H2cConnection(endpoint, pool, IDLE_NANOS);

  H2cConnectionTest() throws Exception {
    client.pipeline().addLast(
        Http2FrameCodecBuilder.forClient().build(),
        new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()),
        connection);
    client.register();
    client.freezeTime();
    pump();
  }

  @AfterEach
  void tearDown() {
    serverHeard.forEach(ReferenceCountUtil::release);
    client.finishAndReleaseAll();
    server.finishAndReleaseAll();
  }

  /** Moves bytes both ways until neither side has anything more to say. */
  private void pump() {
    boolean moved;
    do {
      moved = false;
      client.runPendingTasks();
      server.runPendingTasks();
      for (Object o; (o = client.readOutbound()) != null; moved = true) {
        server.writeInbound(o);
      }
      for (Object o; (o = server.readOutbound()) != null; moved = true) {
        client.writeInbound(o);
      }
    } while (moved);
  }

  private Recorder open() {
    Recorder r = new Recorder();
    Promise<UpstreamStream> p = client.eventLoop().newPromise();
    connection.openStream(r, p);
    client.runPendingTasks();
    assertThat(p.isSuccess()).isTrue();
    r.stream = (H2cStream) p.getNow();
    return r;
  }

  private static void get(Recorder r, String path) {
    DefaultHttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
    req.headers().set("host", "app.example");
    r.stream.write(req);
    r.stream.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
  }

  /** @return the server's view of the {@code n}th request stream it heard (1-based). */
  private Http2FrameStream serverStream(int n) {
    int seen = 0;
    for (Object o : serverHeard) {
      if (o instanceof Http2HeadersFrame h && ++seen == n) {
        return h.stream();
      }
    }
    throw new AssertionError("the server heard only " + seen + " request(s)");
  }

  private void answer(Http2FrameStream stream, String body) {
    server.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200"), false).stream(stream));
    server.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer(body, StandardCharsets.UTF_8), true).stream(stream));
    pump();
  }

  @Test
  void takesStreamsOnlyAfterThePeersSettings_andUpToItsLimit() throws Exception {
    EmbeddedChannel silent = new EmbeddedChannel(DefaultChannelId.newInstance(), false, false);
    H2cConnection waiting = new H2cConnection(endpoint, pool, IDLE_NANOS);
    silent.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
        new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()), waiting);
    silent.register();
    assertThat(waiting.acceptsStream()).as("no SETTINGS yet").isFalse();
    silent.finishAndReleaseAll();

    assertThat(connection.acceptsStream()).isTrue();
    assertThat(connection.maxStreams()).isEqualTo(2);
    Recorder a = open();
    Recorder b = open();
    assertThat(connection.activeStreams()).isEqualTo(2);
    assertThat(endpoint.openStreams().get()).isEqualTo(2);
    assertThat(connection.acceptsStream()).as("at the peer's SETTINGS_MAX_CONCURRENT_STREAMS").isFalse();
    assertThat(a.stream.isReused()).isFalse();
    assertThat(b.stream.isReused()).isTrue();

    get(a, "/a");
    pump();
    answer(serverStream(1), "done");
    assertThat(a.heard).hasSize(2);
    assertThat(((HttpResponse) a.heard.get(0)).headers().names()).noneMatch(n -> n.toLowerCase().startsWith("x-http2-"));
    assertThat(a.heard.get(1)).isInstanceOf(LastHttpContent.class);
    a.stream.release(true);
    pump();
    assertThat(connection.activeStreams()).isEqualTo(1);
    assertThat(connection.acceptsStream()).isTrue();
    b.stream.release(false);
    pump();
    assertThat(endpoint.openStreams().get()).isZero();
    assertThat(endpoint.idleConnections().get()).as("no stream: idle").isEqualTo(1);
  }

  @Test
  void aRequestBecomesHttp2Headers_andAResponseEndedByItsHeadersIsAHeadThenAnEnd() {
    Recorder r = open();
    get(r, "/path?q=1");
    pump();
    Http2HeadersFrame head = (Http2HeadersFrame) serverHeard.stream().filter(Http2HeadersFrame.class::isInstance)
        .findFirst().orElseThrow();
    assertThat(head.headers().method().toString()).isEqualTo("GET");
    assertThat(head.headers().path().toString()).isEqualTo("/path?q=1");
    assertThat(head.headers().scheme().toString()).isEqualTo("http");
    assertThat(head.headers().authority().toString()).isEqualTo("app.example");
    assertThat(head.headers().contains("host")).isFalse();

    server.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("204"), true).stream(head.stream()));
    pump();
    assertThat(r.heard).hasSize(2);
    assertThat(r.heard.get(0)).isInstanceOf(HttpResponse.class).isNotInstanceOf(FullHttpResponse.class);
    assertThat(((HttpResponse) r.heard.get(0)).headers().names())
        .as("Netty's conversion fields stay on this hop").noneMatch(n -> n.toLowerCase().startsWith("x-http2-"));
    assertThat(r.heard.get(1)).isInstanceOf(LastHttpContent.class);
  }

  @Test
  void aResetIsAnUpstreamError_aRefusedStreamIsRefused() {
    Recorder reset = open();
    Recorder refused = open();
    get(reset, "/a");
    get(refused, "/b");
    pump();
    server.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR).stream(serverStream(1)));
    server.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM).stream(serverStream(2)));
    pump();
    assertThat(reset.errors).singleElement().isInstanceOf(StreamResetException.class);
    assertThat(refused.errors).singleElement().isInstanceOf(StreamRefusedException.class);
    assertThat(reset.closed + refused.closed).as("after the error, nothing more is heard").isZero();
    assertThat(connection.activeStreams()).isZero();
  }

  @Test
  void a101IsAProtocolError_neverATunnel() {
    Recorder r = open();
    get(r, "/ws");
    pump();
    server.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("101"), false).stream(serverStream(1)));
    pump();
    assertThat(r.heard).isEmpty();
    assertThat(r.errors).singleElement().isInstanceOf(io.netty.handler.codec.DecoderException.class);
  }

  @Test
  void releasingAnUnfinishedStreamResetsItWithCancel() {
    Recorder r = open();
    get(r, "/a");
    pump();
    r.stream.release(false);
    pump();
    Http2ResetFrame rst = (Http2ResetFrame) serverHeard.stream().filter(Http2ResetFrame.class::isInstance)
        .findFirst().orElseThrow();
    assertThat(rst.errorCode()).isEqualTo(Http2Error.CANCEL.code());
    assertThat(connection.activeStreams()).isZero();
  }

  @Test
  void goAway_streamsUpToTheLastIdFinish_thoseAboveAreRefused_andNoNewStreamIsTaken() {
    Recorder first = open();
    get(first, "/a");
    pump();
    server.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR)); // last stream id: the first's
    Recorder late = open(); // its HEADERS cross the GOAWAY on the wire
    get(late, "/b");
    // The server ignores a stream it never processed; here its bytes are simply lost.
    for (Object o; (o = client.readOutbound()) != null; ) {
      ReferenceCountUtil.release(o);
    }
    pump();
    assertThat(late.errors).singleElement().isInstanceOf(StreamRefusedException.class);
    assertThat(first.errors).isEmpty();
    assertThat(connection.isGoingAway()).isTrue();
    assertThat(connection.acceptsStream()).isFalse();
    assertThat(client.isOpen()).as("a stream is still in flight").isTrue();

    answer(serverStream(1), "finished");
    assertThat(first.heard).hasSize(2);
    assertThat(first.errors).isEmpty();
    first.stream.release(true);
    pump();
    assertThat(client.isOpen()).as("GOAWAY and its last stream ended: closed").isFalse();
  }

  @Test
  void aConnectionWithoutStreamsClosesAfterTheIdleTimeout() {
    Recorder r = open();
    r.stream.release(false);
    pump();
    client.advanceTimeBy(IDLE_NANOS - 1, TimeUnit.NANOSECONDS);
    client.runScheduledPendingTasks();
    assertThat(client.isOpen()).isTrue();
    client.advanceTimeBy(1, TimeUnit.NANOSECONDS);
    client.runScheduledPendingTasks();
    assertThat(client.isOpen()).isFalse();
    assertThat(endpoint.idleConnections().get()).isZero();
  }

  @Test
  void aPausedStreamStopsReadingWhileOthersGoOn() {
    Recorder slow = open();
    Recorder fast = open();
    get(slow, "/slow");
    get(fast, "/fast");
    pump();
    slow.stream.setAutoRead(false);
    answer(serverStream(1), "held back");
    answer(serverStream(2), "goes on");
    assertThat(fast.heard).hasSize(2);
    // A read already asked for may still deliver; the end of the response waits for the resume.
    assertThat(slow.heard).as("paused").noneMatch(LastHttpContent.class::isInstance);
    slow.stream.setAutoRead(true);
    pump();
    assertThat(slow.heard).hasSize(2);
  }

  /** An exchange as the stream sees it. */
  static final class Recorder implements UpstreamStream.Listener {
    H2cStream stream;
    final List<HttpObject> heard = new ArrayList<>();
    final List<Throwable> errors = new ArrayList<>();
    int closed;

    @Override
    public void onResponseObject(HttpObject msg) {
      heard.add(msg);
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void onUpstreamClosed() {
      closed++;
    }

    @Override
    public void onUpstreamError(Throwable cause) {
      errors.add(cause);
    }

    @Override
    public void onUpstreamIdle() {}

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {}
  }
}
