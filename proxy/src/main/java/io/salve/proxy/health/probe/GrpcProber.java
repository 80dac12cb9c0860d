package io.salve.proxy.health.probe;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2ChannelDuplexHandler;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.ReferenceCountUtil;
import io.salve.proxy.grpc.GrpcStatus;
import io.salve.proxy.grpc.GrpcTimeout;
import io.salve.proxy.health.ProbeResult;
import io.salve.proxy.upstream.Endpoint;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * {@code healthCheck.grpc}: one {@code grpc.health.v1.Health/Check} call over cleartext HTTP/2 with
 * prior knowledge, on a connection of its own. The probe passes when the answer is a message saying
 * {@code SERVING} followed by {@code grpc-status: 0}; any other serving status, a non-zero
 * grpc-status (NOT_FOUND for a service the server does not know, UNIMPLEMENTED for a server without
 * the health service), a non-200 HTTP status, a reset or the timeout fails it.
 */
public final class GrpcProber extends ChannelProber {
  static final String PATH = "/grpc.health.v1.Health/Check";

  private final String service;
  private final Duration timeout;

  public GrpcProber(
      Class<? extends Channel> channelClass,
      AddressResolverGroup<? extends SocketAddress> resolver,
      Duration timeout,
      String service) {
    super(channelClass, resolver, timeout);
    this.service = Objects.requireNonNull(service, "service");
    this.timeout = timeout;
  }

  @Override
  void initPipeline(Channel ch, Endpoint endpoint, Attempt attempt) {
    Http2FrameCodec codec = Http2FrameCodecBuilder.forClient()
        .initialSettings(Http2Settings.defaultSettings().pushEnabled(false).maxHeaderListSize(8192))
        .build();
    ch.pipeline().addLast("h2", codec).addLast("probe", new HealthCall(endpoint, attempt));
  }

  @Override
  void onConnected(Channel ch, Attempt attempt) {
    // The call is made by HealthCall.channelActive, once the codec has sent the connection preface.
  }

  /** @return the request's headers (the codec sends them as one HEADERS frame). */
  Http2Headers requestHeaders(Endpoint endpoint) {
    return new DefaultHttp2Headers()
        .method("POST")
        .scheme("http")
        .authority(endpoint.key())
        .path(PATH)
        .set("content-type", "application/grpc")
        .set("te", "trailers")
        .set("user-agent", HttpProber.USER_AGENT)
        .set("grpc-timeout", GrpcTimeout.format(timeout.toNanos()));
  }

  /** Makes the call on the connection's one stream and judges the answer; releases every frame. */
  private final class HealthCall extends Http2ChannelDuplexHandler {
    private final Endpoint endpoint;
    private final Attempt attempt;
    private final byte[] message = new byte[GrpcHealthMessages.MAX_RESPONSE + 5];
    private int messageLength;
    private boolean headSeen;

    HealthCall(Endpoint endpoint, Attempt attempt) {
      this.endpoint = endpoint;
      this.attempt = attempt;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      Http2FrameStream stream = newStream();
      ctx.write(new DefaultHttp2HeadersFrame(requestHeaders(endpoint)).stream(stream));
      ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(GrpcHealthMessages.request(service)), true).stream(stream))
          .addListener(f -> {
            if (!f.isSuccess()) {
              attempt.complete(ProbeResult.fail("write failed: " + describe(f.cause())));
            }
          });
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (attempt.completed()) {
          return;
        }
        if (msg instanceof Http2HeadersFrame headers && headers.stream() != null) {
          onHeaders(headers);
        } else if (msg instanceof Http2DataFrame data && data.stream() != null) {
          onData(data);
        } else if (msg instanceof Http2ResetFrame reset) {
          attempt.complete(ProbeResult.fail("stream reset (error code " + reset.errorCode() + ")"));
        } else if (msg instanceof Http2GoAwayFrame goAway && !(msg instanceof Http2StreamFrame)) {
          if (goAway.lastStreamId() < 1) {
            attempt.complete(ProbeResult.fail("connection refused the call (GOAWAY)"));
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void onHeaders(Http2HeadersFrame frame) {
      Http2Headers h = frame.headers();
      if (!headSeen) {
        headSeen = true;
        CharSequence status = h.status();
        if (status == null || !"200".contentEquals(status)) {
          attempt.complete(ProbeResult.fail("status " + status));
          return;
        }
      }
      if (frame.isEndStream()) {
        onEnd(h.get("grpc-status"), h.get("grpc-message"));
      }
    }

    private void onData(Http2DataFrame data) {
      int n = data.content().readableBytes();
      if (n > message.length - messageLength) {
        attempt.complete(ProbeResult.fail("response message over " + GrpcHealthMessages.MAX_RESPONSE + " bytes"));
        return;
      }
      data.content().getBytes(data.content().readerIndex(), message, messageLength, n);
      messageLength += n;
      if (data.isEndStream()) {
        onEnd(null, null);
      }
    }

    /** The stream ended: judged by its grpc-status, then by the serving status in its message. */
    private void onEnd(CharSequence grpcStatusText, CharSequence grpcMessage) {
      int grpcStatus = GrpcStatus.parse(grpcStatusText);
      if (grpcStatus == GrpcStatus.NONE) {
        attempt.complete(ProbeResult.fail("no grpc-status in the answer"));
        return;
      }
      if (grpcStatus != GrpcStatus.OK) {
        attempt.complete(ProbeResult.fail("grpc-status " + grpcStatus + " " + GrpcStatus.name(grpcStatus)
            + (grpcMessage == null ? "" : ": " + grpcMessage)));
        return;
      }
      int serving;
      try {
        serving = GrpcHealthMessages.servingStatus(message, messageLength);
      } catch (IllegalArgumentException e) {
        attempt.complete(ProbeResult.fail(e.getMessage()));
        return;
      }
      String name = GrpcHealthMessages.statusName(serving);
      attempt.complete(serving == GrpcHealthMessages.SERVING ? ProbeResult.pass(name) : ProbeResult.fail(name));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      attempt.complete(ProbeResult.fail("connection closed before an answer"));
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      attempt.complete(ProbeResult.fail("error: " + describe(cause)));
    }
  }
}
