package io.salve.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpVersion;
import io.salve.config.HostPort;
import io.salve.proxy.transport.Transports;
import io.salve.proxy.util.JsonText;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A tiny HTTP server for trying salve with nothing else running ({@code --demo-upstream}): it answers
 * every request with a JSON echo of what it received, so the forwarding headers are visible.
 */
final class DemoUpstream implements AutoCloseable {
  private final Channel channel;

  DemoUpstream(EventLoopGroup group, HostPort address) throws InterruptedException {
    channel =
        new ServerBootstrap()
            .group(group)
            .channel(Transports.serverChannel())
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpServerKeepAliveHandler())
                        .addLast(new HttpObjectAggregator(1024 * 1024))
                        .addLast(new Echo());
                  }
                })
            .bind(address.host(), address.port())
            .sync()
            .channel();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
  }

  private static final class Echo extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      StringBuilder json = new StringBuilder("{\"hello\":\"from the salve demo upstream\"");
      JsonText.appendString(json.append(",\"method\":"), req.method().name());
      JsonText.appendString(json.append(",\"uri\":"), req.uri());
      json.append(",\"headers\":{");
      boolean first = true;
      for (var e : req.headers()) {
        JsonText.appendString(json.append(first ? "" : ","), e.getKey().toLowerCase(Locale.ROOT)).append(':');
        JsonText.appendString(json, e.getValue());
        first = false;
      }
      json.append("},\"bodyBytes\":").append(req.content().readableBytes()).append("}\n");
      byte[] body = json.toString().getBytes(StandardCharsets.UTF_8);
      FullHttpResponse resp =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
      resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json").setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
      ctx.writeAndFlush(resp);
    }
  }
}
