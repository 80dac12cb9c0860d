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
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
    boolean keepAlive = HttpUtil.isKeepAlive(req) && !req.decoderResult().isFailure();
    if (req.decoderResult().isFailure()) {
      write(ctx, AdminResponse.error(400, "bad_request", "malformed request"), keepAlive);
      return;
    }
    CompletionStage<AdminResponse> answer = dispatch(req);
    CompletableFuture<AdminResponse> f = answer.toCompletableFuture();
    if (f.isDone() && !f.isCompletedExceptionally()) {
      write(ctx, f.join(), keepAlive);
      return;
    }
    // A long poll: the request is released when this method returns and the answer is written
    // later, on this connection's event loop. Reading stops meanwhile, so a pipelined request
    // cannot be answered before this one.
    ctx.channel().config().setAutoRead(false);
    boolean suspended = ctx.pipeline().get(AdminServer.READ_TIMEOUT) != null;
    if (suspended) {
      ctx.pipeline().remove(AdminServer.READ_TIMEOUT);
    }
    String method = req.method().name();
    String uri = req.uri();
    f.whenComplete(
        (response, error) ->
            ctx.executor()
                .execute(
                    () -> {
                      if (ctx.channel().isActive()) {
                        write(ctx, error == null ? response : failed(method, uri, error), keepAlive);
                        if (suspended) {
                          ctx.pipeline()
                              .addFirst(AdminServer.READ_TIMEOUT, new ReadTimeoutHandler(AdminServer.READ_TIMEOUT_SECONDS));
                        }
                        ctx.channel().config().setAutoRead(true);
                      }
                    }));
  }

  private static AdminResponse failed(String method, String uri, Throwable error) {
    LOG.warn("admin {} {} failed: {}", method, uri, String.valueOf(error));
    return AdminResponse.error(500, "internal_error", "admin handler failed");
  }

  private static void write(ChannelHandlerContext ctx, AdminResponse answer, boolean keepAlive) {
    FullHttpResponse resp =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(answer.status()), Unpooled.wrappedBuffer(answer.body()));
    resp.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, answer.contentType())
        .setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().length)
        .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    HttpUtil.setKeepAlive(resp, keepAlive);
    var f = ctx.writeAndFlush(resp);
    if (!keepAlive) {
      f.addListener(ChannelFutureListener.CLOSE);
    }
  }

  private CompletionStage<AdminResponse> dispatch(FullHttpRequest req) {
    String path = new QueryStringDecoder(req.uri()).path();
    boolean pathKnown = false;
    for (AdminRoute r : routes) {
      if (r.matches(req.method(), path)) {
        try {
          return r.handleAsync(req, path);
        } catch (RuntimeException e) {
          LOG.warn("admin {} {} failed: {}", req.method(), path, e.toString());
          return CompletableFuture.completedFuture(AdminResponse.error(500, "internal_error", "admin handler failed"));
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
    return CompletableFuture.completedFuture(
        pathKnown
            ? AdminResponse.error(405, "method_not_allowed", "method not allowed on " + path)
            : AdminResponse.error(404, "not_found", "no admin endpoint at " + path));
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
