package io.salve.proxy.health.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.resolver.DefaultAddressResolverGroup;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ResourceLeakDetector;
import io.salve.config.HostPort;
import io.salve.proxy.health.ProbeResult;
import io.salve.proxy.upstream.Endpoint;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gRPC health probe against a scripted HTTP/2 server, both sides {@link EmbeddedChannel}s with
 * Netty's real HTTP/2 codec, their bytes pumped across by hand.
 */
class GrpcProberTest {
  private static ResourceLeakDetector.Level previousLevel;
  private final Endpoint endpoint = new Endpoint("app", new HostPort("127.0.0.1", 9090), 1);
  private final List<ProbeResult> results = new ArrayList<>();
  private Http2Headers requestHeaders;
  private final ByteArrayOutputStream requestBody = new ByteArrayOutputStream();

  @BeforeAll
  static void paranoid() {
    previousLevel = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
  }

  @AfterAll
  static void restore() {
    ResourceLeakDetector.setLevel(previousLevel);
  }

  /** Runs one probe against a server that answers the finished request with {@code answer}. */
  private ProbeResult probe(String service, BiConsumer<ChannelHandlerContext, Http2FrameStream> answer) throws Exception {
    EmbeddedChannel server = new EmbeddedChannel(
        Http2FrameCodecBuilder.forServer().build(),
        new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
              if (msg instanceof Http2HeadersFrame h) {
                requestHeaders = h.headers();
              } else if (msg instanceof Http2DataFrame d) {
                ByteBuf b = d.content();
                byte[] bytes = new byte[b.readableBytes()];
                b.getBytes(b.readerIndex(), bytes);
                requestBody.writeBytes(bytes);
                if (d.isEndStream()) {
                  answer.accept(ctx, d.stream());
                  ctx.flush();
                }
              }
            } finally {
              ReferenceCountUtil.release(msg);
            }
          }
        });
    GrpcProber prober = new GrpcProber(NioSocketChannel.class, DefaultAddressResolverGroup.INSTANCE, Duration.ofSeconds(1), service);
    ChannelProber.Attempt attempt = new ChannelProber.Attempt(results::add);
    EmbeddedChannel client = new EmbeddedChannel(DefaultChannelId.newInstance(), false, false);
    prober.initPipeline(client, endpoint, attempt);
    attempt.attach(client);
    client.register();
    for (boolean moved = true; moved; ) {
      moved = false;
      for (Object o; (o = client.readOutbound()) != null; moved = true) {
        server.writeInbound(o);
      }
      for (Object o; (o = server.readOutbound()) != null; moved = true) {
        if (client.isOpen()) {
          client.writeInbound(o);
        } else {
          ReferenceCountUtil.release(o);
        }
      }
    }
    client.finishAndReleaseAll();
    server.finishAndReleaseAll();
    assertThat(results).hasSize(1);
    return results.get(0);
  }

  private static Http2Headers ok() {
    return new DefaultHttp2Headers().status("200").set("content-type", "application/grpc");
  }

  /** A message {@code HealthCheckResponse { status }} then trailers with {@code grpc-status: 0}. */
  private static BiConsumer<ChannelHandlerContext, Http2FrameStream> answers(int servingStatus) {
    return (ctx, stream) -> {
      ctx.write(new DefaultHttp2HeadersFrame(ok()).stream(stream));
      byte[] message = {0, 0, 0, 0, 2, 0x08, (byte) servingStatus};
      ctx.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(message)).stream(stream));
      ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().set("grpc-status", "0"), true).stream(stream));
    };
  }

  @Test
  void serving_passes_andTheCallIsAHealthCheck() throws Exception {
    ProbeResult r = probe("payments.v1.Payments", answers(1));
    assertThat(r.passed()).isTrue();
    assertThat(r.detail()).isEqualTo("SERVING");
    assertThat(requestHeaders.method().toString()).isEqualTo("POST");
    assertThat(requestHeaders.path().toString()).isEqualTo("/grpc.health.v1.Health/Check");
    assertThat(requestHeaders.get("content-type").toString()).isEqualTo("application/grpc");
    assertThat(requestHeaders.get("te").toString()).isEqualTo("trailers");
    assertThat(requestHeaders.get("grpc-timeout").toString()).isEqualTo("1000000u");
    assertThat(requestBody.toByteArray()).isEqualTo(GrpcHealthMessages.request("payments.v1.Payments"));
  }

  @Test
  void notServing_fails() throws Exception {
    ProbeResult r = probe("", answers(2));
    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).isEqualTo("NOT_SERVING");
    assertThat(requestBody.toByteArray()).as("an empty request message").isEqualTo(new byte[5]);
  }

  @Test
  void unknownService_trailersOnlyNotFound_fails() throws Exception {
    ProbeResult r = probe("nope", (ctx, stream) -> ctx.write(new DefaultHttp2HeadersFrame(
        ok().set("grpc-status", "5").set("grpc-message", "unknown service nope"), true).stream(stream)));
    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).isEqualTo("grpc-status 5 NOT_FOUND: unknown service nope");
  }

  @Test
  void servingButAFailedCall_fails() throws Exception {
    ProbeResult r = probe("", (ctx, stream) -> {
      ctx.write(new DefaultHttp2HeadersFrame(ok()).stream(stream));
      ctx.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 0, 2, 0x08, 1})).stream(stream));
      ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().set("grpc-status", "14"), true).stream(stream));
    });
    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).startsWith("grpc-status 14 UNAVAILABLE");
  }

  @Test
  void httpStatusOtherThan200_fails() throws Exception {
    ProbeResult r = probe("", (ctx, stream) ->
        ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("404"), true).stream(stream)));
    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).isEqualTo("status 404");
  }

  @Test
  void reset_fails() throws Exception {
    ProbeResult r = probe("", (ctx, stream) -> ctx.write(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM).stream(stream)));
    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).startsWith("stream reset");
  }

  @Test
  void endWithoutGrpcStatus_fails() throws Exception {
    ProbeResult r = probe("", (ctx, stream) -> {
      ctx.write(new DefaultHttp2HeadersFrame(ok()).stream(stream));
      ctx.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 0, 2, 0x08, 1}), true).stream(stream));
    });
    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).isEqualTo("no grpc-status in the answer");
  }
}
