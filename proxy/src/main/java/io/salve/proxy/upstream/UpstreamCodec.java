package io.salve.proxy.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.salve.proxy.codec.PassThroughRequestEncoder;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;

/**
 * The HTTP/1.1 codec of an upstream connection: salve's request encoder and {@link
 * StrictResponseDecoder}, sharing the queue of sent request methods (as {@code HttpClientCodec}
 * does, which cannot take another decoder). Salve never sends CONNECT, so no tunnel state is needed.
 */
final class UpstreamCodec extends CombinedChannelDuplexHandler<StrictResponseDecoder, PassThroughRequestEncoder> {
  UpstreamCodec(HttpDecoderConfig config) {
    Queue<HttpMethod> methods = new ArrayDeque<>(2);
    init(new StrictResponseDecoder(config, methods), new MethodRecordingEncoder(methods));
  }

  private static final class MethodRecordingEncoder extends PassThroughRequestEncoder {
    private final Queue<HttpMethod> methods;

    MethodRecordingEncoder(Queue<HttpMethod> methods) {
      this.methods = methods;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
      if (msg instanceof HttpRequest) {
        methods.offer(((HttpRequest) msg).method());
      }
      super.encode(ctx, msg, out);
    }
  }
}
