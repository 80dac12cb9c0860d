package io.salve.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.resolver.DefaultAddressResolverGroup;
import io.netty.util.ReferenceCountUtil;
import io.salve.config.HostPort;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP/1.1 {@link UpstreamStream}: what the exchange writes reaches the connection, what the
 * connection reads reaches the exchange while the stream is lent, and nothing after it is given back.
 * The exchange's own tests rely on exactly this contract.
 */
class UpstreamConnectionTest {
  private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final Endpoint endpoint = new Endpoint("app", new HostPort("127.0.0.1", 7001), 1);
  private final EmbeddedChannel channel = new EmbeddedChannel(DefaultChannelId.newInstance(), true, false);
  private final EndpointPool pool =
      new EndpointPool(
          endpoint,
          channel.eventLoop(),
          new UpstreamSettings(
              EmbeddedChannel.class, DefaultAddressResolverGroup.INSTANCE, new HttpDecoderConfig(), 1000, 5000, 4, null)); // plaintext: no TLS origination
  private final UpstreamConnection conn = new UpstreamConnection(endpoint, pool, IDLE_NANOS);
  private final Recorder listener = new Recorder();

  UpstreamConnectionTest() {
    channel.freezeTime();
    channel.pipeline().addLast(conn);
  }

  @AfterEach
  void tearDown() {
    listener.heard.forEach(ReferenceCountUtil::release);
    channel.finishAndReleaseAll();
  }

  @Test
  void writes_reachTheConnection_andAutoReadFollowsTheExchange() {
    conn.lend(listener);
    conn.write(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/a"));
    conn.flush();
    assertThat((Object) channel.readOutbound()).isInstanceOf(DefaultHttpRequest.class);
    conn.setAutoRead(false);
    assertThat(channel.config().isAutoRead()).isFalse();
    conn.setAutoRead(true);
    assertThat(conn.isWritable()).isTrue();
  }

  @Test
  void responseParts_goToTheListenerWhileLent_andNothingAfterRelease() {
    conn.lend(listener);
    channel.writeInbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
    channel.writeInbound(new DefaultLastHttpContent(Unpooled.copiedBuffer("ok", StandardCharsets.UTF_8)));
    assertThat(listener.heard).hasSize(2);

    conn.release(true);
    assertThat(channel.isOpen()).as("a clean keep-alive connection stays for reuse").isTrue();
    channel.writeInbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
    assertThat(listener.heard).as("a released stream says nothing more").hasSize(2);
    assertThat(channel.isOpen()).as("bytes on an idle connection: never reused").isFalse();
    assertThat(listener.closed).isZero();
  }

  @Test
  void release_neverReusesAConnectionTheUpstreamSaidItCloses() {
    conn.lend(listener);
    DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().set(HttpHeaderNames.CONNECTION, "close");
    channel.writeInbound(head, new DefaultLastHttpContent());
    conn.release(true);
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void release_notReusable_closes() {
    conn.lend(listener);
    conn.release(false);
    assertThat(channel.isOpen()).isFalse();
    assertThat(listener.closed).as("given back first: the exchange hears nothing of the close").isZero();
  }

  @Test
  void close_whileLent_isHeardAsAReset() {
    conn.lend(listener);
    channel.close();
    assertThat(listener.closed).isEqualTo(1);
  }

  @Test
  void idleTimeout_whileLent_isHeardByTheExchange() {
    conn.lend(listener);
    channel.advanceTimeBy(IDLE_NANOS - 1, TimeUnit.NANOSECONDS);
    channel.runScheduledPendingTasks();
    assertThat(listener.idle).isZero();
    conn.touch(); // request bytes went out: not idle
    channel.advanceTimeBy(IDLE_NANOS - 1, TimeUnit.NANOSECONDS);
    channel.runScheduledPendingTasks();
    assertThat(listener.idle).isZero();
    channel.advanceTimeBy(1, TimeUnit.NANOSECONDS);
    channel.runScheduledPendingTasks();
    assertThat(listener.idle).isEqualTo(1);
  }

  private static final class Recorder implements UpstreamStream.Listener {
    final List<HttpObject> heard = new ArrayList<>();
    int closed;
    int idle;

    @Override
    public void onResponseObject(HttpObject msg) {
      heard.add(msg);
    }

    @Override
    public void onUpstreamClosed() {
      closed++;
    }

    @Override
    public void onUpstreamError(Throwable cause) {}

    @Override
    public void onUpstreamIdle() {
      idle++;
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {}
  }
}
