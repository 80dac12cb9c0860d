package io.salve.proxy.health.probe;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.resolver.AddressResolverGroup;
import io.salve.config.HealthCheckConfig.StatusRange;
import io.salve.proxy.health.ProbeResult;
import io.salve.proxy.upstream.Endpoint;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * {@code type: http}: {@code GET path} with {@code Host}, {@code User-Agent: salve-health} and
 * {@code Connection: close}; the probe passes when the response's status is in the expected range.
 * Only the status line and headers are read: the body is never aggregated, and every piece of it
 * that arrives before the channel closes is released.
 */
public final class HttpProber extends ChannelProber {

  static final String USER_AGENT = "salve-health";

  private final String path;
  private final StatusRange expected;

  public HttpProber(
      Class<? extends Channel> channelClass,
      AddressResolverGroup<? extends SocketAddress> resolver,
      Duration timeout,
      String path,
      StatusRange expected) {
    super(channelClass, resolver, timeout);
    this.path = Objects.requireNonNull(path, "path");
    this.expected = Objects.requireNonNull(expected, "expected");
  }

  @Override
  void initPipeline(Channel ch, Endpoint endpoint, Attempt attempt) {
    ch.pipeline()
        .addLast("codec", new HttpClientCodec(
                new HttpDecoderConfig().setMaxInitialLineLength(4096).setMaxHeaderSize(8192).setMaxChunkSize(8192),
                false,
                false))
        .addLast("probe", new StatusReader(endpoint, attempt));
  }

  @Override
  void onConnected(Channel ch, Attempt attempt) {
    // The request is written by StatusReader.channelActive; nothing to do here.
  }

  /** @return the probe request for {@code endpoint}; the encoder releases it when written. */
  FullHttpRequest request(Endpoint endpoint) {
    FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
    req.headers()
        .set(HttpHeaderNames.HOST, endpoint.key())
        .set(HttpHeaderNames.USER_AGENT, USER_AGENT)
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
        .set(HttpHeaderNames.ACCEPT, "*/*");
    return req;
  }

  ProbeResult judge(int status) {
    return expected.contains(status)
        ? ProbeResult.pass("status " + status)
        : ProbeResult.fail("status " + status + " (expected " + expected.low() + "-" + expected.high() + ")");
  }

  /** Writes the probe request, judges the first response head, releases everything it reads. */
  private final class StatusReader extends SimpleChannelInboundHandler<HttpObject> {
    private final Endpoint endpoint;
    private final Attempt attempt;

    StatusReader(Endpoint endpoint, Attempt attempt) {
      super(true); // auto-release every message, including body chunks after the verdict
      this.endpoint = endpoint;
      this.attempt = attempt;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.writeAndFlush(request(endpoint))
          .addListener(
              f -> {
                if (!f.isSuccess()) {
                  attempt.complete(ProbeResult.fail("write failed: " + describe(f.cause())));
                }
              });
      ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (attempt.completed()) {
        return;
      }
      if (msg.decoderResult().isFailure()) {
        attempt.complete(ProbeResult.fail("malformed response: " + describe(msg.decoderResult().cause())));
      } else if (msg instanceof HttpResponse response) {
        attempt.complete(judge(response.status().code()));
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      attempt.complete(ProbeResult.fail("connection closed before a response"));
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      attempt.complete(ProbeResult.fail("error: " + describe(cause)));
    }
  }
}
