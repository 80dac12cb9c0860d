package io.salve.proxy.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Dispatches admin requests to the first matching {@link AdminRoute}. */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);
  private final List<AdminRoute> routes;

  AdminHandler(List<AdminRoute> routes) {
    this.routes = routes;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    AdminResponse answer;
    if (req.decoderResult().isFailure()) {
      answer = AdminResponse.error(400, "bad_request", "malformed request");
    } else {
      answer = dispatch(req);
    }
    FullHttpResponse resp =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(answer.status()), Unpooled.wrappedBuffer(answer.body()));
    resp.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, answer.contentType())
        .setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().length)
        .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    boolean keepAlive = HttpUtil.isKeepAlive(req) && !req.decoderResult().isFailure();
    HttpUtil.setKeepAlive(resp, keepAlive);
    var f = ctx.writeAndFlush(resp);
    if (!keepAlive) {
      f.addListener(ChannelFutureListener.CLOSE);
    }
  }

  private AdminResponse dispatch(FullHttpRequest req) {
    String path = new QueryStringDecoder(req.uri()).path();
    boolean pathKnown = false;
    for (AdminRoute r : routes) {
      if (r.matches(req.method(), path)) {
        try {
          return r.handle(req, path);
        } catch (RuntimeException e) {
          LOG.warn("admin {} {} failed: {}", req.method(), path, e.toString());
          return AdminResponse.error(500, "internal_error", "admin handler failed");
        }
      }
    }
    for (AdminRoute r : routes) {
      for (var m : new io.netty.handler.codec.http.HttpMethod[] {
        io.netty.handler.codec.http.HttpMethod.GET,
        io.netty.handler.codec.http.HttpMethod.PUT,
        io.netty.handler.codec.http.HttpMethod.POST,
        io.netty.handler.codec.http.HttpMethod.DELETE
      }) {
        pathKnown |= r.matches(m, path);
      }
    }
    return pathKnown
        ? AdminResponse.error(405, "method_not_allowed", "method not allowed on " + path)
        : AdminResponse.error(404, "not_found", "no admin endpoint at " + path);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
