package io.salve.proxy.forward;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.salve.proxy.codec.FieldNames;
import io.salve.proxy.grpc.GrpcCall;
import io.salve.proxy.grpc.GrpcStatus;
import io.salve.proxy.route.Route;
import io.salve.proxy.tls.ClientIdentity;
import io.salve.proxy.transport.DrainEvent;
import io.salve.proxy.upstream.Upstream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.io.IOException;

/**
 * Receives requests on one client connection, one at a time: checks and routes each head, rewrites
 * it for the upstream, and hands it with its body to a {@link ProxyExchange}, through the connection's {@link Http1ClientSide}. Requests that cannot
 * be forwarded are answered here and never reach an upstream.
 *
 * <p>On an HTTP/2 stream ({@link #forStream}) the receiver takes exactly one request: the stream is
 * the exchange's client side ({@link Http2StreamClientSide}), no keep-alive or client timeouts apply
 * (the connection's own handlers keep those), and the exchange's end ends the stream.
 *
 * <p>The channel does not auto-read: {@link io.salve.proxy.transport.OneMessagePerRead} in front hands
 * on one message per {@link #readMore}, so pipelined requests wait their turn and bodies move only as
 * fast as the upstream takes them.
 */
public final class ClientRequestReceiver extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(ClientRequestReceiver.class);
  private static final RequestChecks.Rejection SHED =
      new RequestChecks.Rejection(HttpResponseStatus.SERVICE_UNAVAILABLE, "shed", "request shed under load");
  private final ListenerSlot slot;
  private final ClientTimeoutsHandler timeouts; // null on an HTTP/2 stream
  private final boolean stream;
  // The listener's context as of the current request's head: a reload affects the next request.
  private ListenerContext listener;
  private ChannelHandlerContext ctx;
  private ClientSide side;
  private ClientConnectionFacts connection;
  private ProxyExchange exchange;
  private boolean readRequested;
  private boolean skipUntilLast;
  private boolean closing;

  public ClientRequestReceiver(ListenerSlot slot, ClientTimeoutsHandler timeouts) {
    this.slot = slot;
    this.listener = slot.current();
    this.timeouts = timeouts;
    this.stream = timeouts == null;
  }

  /** A receiver for one HTTP/2 stream's request (its child channel speaks {@code HttpObject}s). */
  public static ClientRequestReceiver forStream(ListenerSlot slot) {
    return new ClientRequestReceiver(slot, null);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.side = stream ? new Http2StreamClientSide(ctx, this) : new Http1ClientSide(ctx, this);
    this.connection = new ClientConnectionFacts(ctx.channel());
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    readMore();
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    readRequested = false; // the outstanding demand is answered
    if (closing) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest) {
      if (timeouts != null) {
        timeouts.headReceived();
      }
      onRequestHead((HttpRequest) msg);
    }
    if (msg instanceof HttpContent) {
      onContent((HttpContent) msg);
    }
  }

  /**
   * Asks for the next request message. Demand is coalesced: while one read is outstanding, further
   * calls add nothing. A second, stale demand would hand over the next request's body before its
   * upstream connection exists (found by a soak: the body was dropped and the upstream waited).
   */
  void readMore() {
    if (!closing && !readRequested) {
      readRequested = true;
      ctx.read();
    }
  }

  private void onContent(HttpContent content) {
    if (exchange != null) {
      if (content.decoderResult().isFailure()) {
        // The body's framing broke after its head went upstream: the upstream must never see an end.
        content.release();
        exchange.onRequestBodyMalformed();
        return;
      }
      exchange.onRequestContent(content);
      return;
    }
    boolean last = content instanceof LastHttpContent;
    content.release();
    if (closing) {
      return;
    }
    if (skipUntilLast && last) {
      skipUntilLast = false;
      if (timeouts != null) {
        timeouts.awaitingRequest();
      }
    }
    readMore();
  }

  private void onRequestHead(HttpRequest req) {
    listener = slot.current();
    listener.observer().onRequestStarted(listener.name());
    long startNanos = listener.ticker().nanos();
    long epochMillis = listener.clock().millis();
    if (req.decoderResult().isFailure()) {
      reject(req, RequestChecks.decoderFailure(req.decoderResult().cause()), epochMillis, startNanos, true);
      return;
    }
    HttpHeaders headers = req.headers();
    int fields = FieldScan.of(headers);
    RequestChecks.Rejection rejection = RequestChecks.check(req, listener.limits(), fields);
    if (rejection != null) {
      reject(req, rejection, epochMillis, startNanos, true);
      return;
    }
    RequestTarget target;
    try {
      target = RequestTarget.parse(req.uri());
    } catch (RequestTarget.InvalidTargetException e) {
      reject(req, new RequestChecks.Rejection(HttpResponseStatus.BAD_REQUEST, "bad_request", e.getMessage()), epochMillis, startNanos, true);
      return;
    }
    if (target.authority() != null) {
      headers.set(HttpHeaderNames.HOST, target.authority());
    }
    String host = headers.get(HttpHeaderNames.HOST);
    String method = req.method().name();
    ClientIdentity identity = connection.identity();
    Route route = listener.router().route(
        method, host == null ? null : RequestTarget.hostOnly(host), target.path(),
        (name, value) -> headers.contains(name, value, false), connection.clientNames(identity));
    if (route == null) {
      reject(req, new RequestChecks.Rejection(HttpResponseStatus.NOT_FOUND, "no_route", "no route matches the request"), epochMillis, startNanos, false);
      return;
    }
    long routeLimit = route.config().maxRequestBody();
    long maxBody = routeLimit >= 0 ? routeLimit : listener.limits().maxRequestBody();
    RequestChecks.Rejection tooLarge = RequestChecks.bodyLimit(req, maxBody);
    if (tooLarge != null) {
      reject(req, tooLarge, epochMillis, startNanos, true);
      return;
    }
    AdmissionControl.Permit permit = listener.admission().tryAdmit(listener.name(), route);
    if (permit == null) {
      reject(req, SHED, epochMillis, startNanos, false); // 503 with Retry-After; nothing read past the head
      return;
    }
    boolean chunked = (fields & FieldNames.TRANSFER_ENCODING) != 0 && HttpUtil.isTransferEncodingChunked(req);
    boolean hasBody = chunked || ((fields & FieldNames.CONTENT_LENGTH) != 0 && HttpUtil.getContentLength(req, 0L) > 0);
    boolean clientKeepAlive = HttpUtil.isKeepAlive(req);
    HttpVersion clientVersion = req.protocolVersion();
    UpgradeDecision upgrade = UpgradeDecision.decide(req.method(), headers, hasBody, route.config().upgrades());
    String requestId =
        UpstreamHead.rewrite(req, fields, chunked, upgrade, target, host, identity, connection, listener, ctx.channel());
    if (requestId == null) {
      permit.release(400, 0);
      reject(req, new RequestChecks.Rejection(HttpResponseStatus.BAD_REQUEST, "bad_request", "Connection names a field that cannot be removed"), epochMillis, startNanos, true);
      return;
    }
    RequestFacts facts =
        new RequestFacts(
            method, target.path(), requestId, connection.peer(), epochMillis, startNanos, clientVersion, clientKeepAlive,
            req.method() == HttpMethod.HEAD, hasBody, maxBody, protocol(clientVersion),
            GrpcCall.of(headers.get(HttpHeaderNames.CONTENT_TYPE), headers.get(ErrorResponses.GRPC_TIMEOUT)));
    Upstream upstream = listener.upstreams().get(route.upstream());
    exchange = new ProxyExchange(side, listener, route, upstream, req, facts, permit, upgrade);
    exchange.start();
  }

  /** The exchange turned the connection into a tunnel: no further request is read here. */
  void upgraded() {
    exchange = null;
    closing = true;
  }

  /**
   * Called by the exchange when it has ended; the response (or its last part) is being written.
   *
   * @param requestRead whether the request's last part was received; if not (and the connection
   *     stays open, so the request has no body) its empty last part is skipped before the next one
   */
  void exchangeFinished(boolean closeClient, boolean requestRead) {
    exchange = null;
    if (closeClient || stream) {
      // A stream carries one request; an unread body was answered without it, and the stream reset.
      closing = true;
      return;
    }
    if (requestRead) {
      timeouts.awaitingRequest();
    } else {
      skipUntilLast = true;
    }
    readMore();
  }

  private void reject(
      HttpRequest req, RequestChecks.Rejection r, long epochMillis, long startNanos, boolean forceClose) {
    boolean close =
        forceClose
            || listener.draining()
            || !HttpUtil.isKeepAlive(req)
            || HttpUtil.isTransferEncodingChunked(req)
            || HttpUtil.getContentLength(req, 0L) > 0;
    var response = ErrorResponses.refusal(ctx.alloc(), req.headers(), r.status(), r.reason(), r.message(), close);
    int grpcStatus = GrpcStatus.parse(response.headers().get(ErrorResponses.GRPC_STATUS));
    if (r.reason().equals("shed") && listener.admission().retryAfterSeconds() > 0) {
      response.headers().set(HttpHeaderNames.RETRY_AFTER, listener.admission().retryAfterSeconds());
    }
    ChannelFuture f = ctx.writeAndFlush(response);
    listener
        .observer()
        .onRequestEnded(
            new ExchangeRecord(
                epochMillis, req.headers().get(ForwardedHeaders.X_REQUEST_ID), connection.peer(),
                req.method().name(), req.uri(), listener.name(), null, null, null, response.status().code(),
                listener.ticker().nanos() - startNanos, 0, 0, 0, r.reason(), protocol(req.protocolVersion()),
                grpcStatus));
    if (close) {
      closing = true;
      f.addListener(ChannelFutureListener.CLOSE);
    } else {
      skipUntilLast = true;
      readMore();
    }
  }

  /** @return the client's protocol as the access log and metrics name it. */
  private String protocol(HttpVersion version) {
    return stream ? "HTTP/2.0" : version.text();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (exchange != null) {
      exchange.onClientWritabilityChanged(ctx.channel().isWritable());
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof DrainEvent) {
      if (exchange == null && !skipUntilLast) {
        closing = true;
        ctx.close();
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closing = true;
    if (exchange != null) {
      exchange.onClientClosed();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Client I/O errors (resets, broken pipes) are routine for a proxy: close, no stack trace.
    // Anything else is a bug in salve and must be seen, not swallowed.
    if (!(cause instanceof IOException)) {
      LOG.warn("unexpected error on a client connection; closing it", cause);
    }
    ctx.close();
  }
}
