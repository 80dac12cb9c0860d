package io.salve.proxy.health.probe;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.salve.proxy.health.ProbeResult;
import io.salve.proxy.upstream.Endpoint;
import java.net.SocketAddress;
import java.time.Duration;

/**
 * {@code type: http} for an {@code protocol: h2c} upstream: the same request and verdict as {@link
 * HttpProber}, spoken as cleartext HTTP/2 with prior knowledge (an h2c-only server would not answer
 * HTTP/1.1). One connection and one stream per probe; the connection closes with the verdict.
 */
public final class H2cProber extends ChannelProber {
  private static final AttributeKey<Endpoint> ENDPOINT = AttributeKey.valueOf(H2cProber.class, "endpoint");
  private final HttpProber http;

  /** @param http the HTTP/1.1 prober whose request and expected statuses this one uses */
  public H2cProber(
      Class<? extends Channel> channelClass,
      AddressResolverGroup<? extends SocketAddress> resolver,
      Duration timeout,
      HttpProber http) {
    super(channelClass, resolver, timeout);
    this.http = http;
  }

  @Override
  void initPipeline(Channel ch, Endpoint endpoint, Attempt attempt) {
    ch.attr(ENDPOINT).set(endpoint);
    ch.pipeline()
        .addLast("h2", Http2FrameCodecBuilder.forClient()
            .initialSettings(Http2Settings.defaultSettings().pushEnabled(false).maxHeaderListSize(8192))
            .build())
        .addLast("streams", new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()))
        .addLast("connection", new ChannelInboundHandlerAdapter() {
          @Override
          public void channelInactive(ChannelHandlerContext ctx) {
            attempt.complete(ProbeResult.fail("connection closed before a response"));
            ctx.fireChannelInactive();
          }

          @Override
          public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            attempt.complete(ProbeResult.fail("error: " + describe(cause)));
          }
        });
  }

  @Override
  void onConnected(Channel ch, Attempt attempt) {
    Endpoint endpoint = ch.attr(ENDPOINT).get();
    new Http2StreamChannelBootstrap(ch)
        .handler(new ChannelInitializer<Http2StreamChannel>() {
          @Override
          protected void initChannel(Http2StreamChannel stream) {
            stream.pipeline().addLast("codec", new Http2StreamFrameToHttpObjectCodec(false))
                .addLast("probe", new StatusReader(attempt));
          }
        })
        .open()
        .addListener(f -> {
          if (!f.isSuccess()) {
            attempt.complete(ProbeResult.fail("could not open a stream: " + describe(f.cause())));
            return;
          }
          Http2StreamChannel stream = (Http2StreamChannel) f.getNow();
          stream.writeAndFlush(http.request(endpoint)).addListener(w -> {
            if (!w.isSuccess()) {
              attempt.complete(ProbeResult.fail("write failed: " + describe(w.cause())));
            }
          });
        });
  }

  /** Judges the first response head; releases everything it reads. */
  private final class StatusReader extends SimpleChannelInboundHandler<HttpObject> {
    private final Attempt attempt;

    StatusReader(Attempt attempt) {
      super(true);
      this.attempt = attempt;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (!attempt.completed() && msg instanceof HttpResponse response && response.status().code() >= 200) {
        attempt.complete(http.judge(response.status().code()));
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      ReferenceCountUtil.release(evt); // a reset or GOAWAY: the stream closes, channelInactive follows
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      attempt.complete(ProbeResult.fail("stream closed before a response"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      attempt.complete(ProbeResult.fail("error: " + describe(cause)));
    }
  }
}
