package io.salve.proxy.forward;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.salve.proxy.route.Route;
import io.salve.proxy.upstream.Endpoint;
import io.salve.proxy.upstream.PoolExhaustedException;
import io.salve.proxy.upstream.Upstream;
import io.salve.proxy.upstream.UpstreamConnection;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One request's trip through salve: pick an endpoint, borrow a pooled connection on the client's event
 * loop, stream the request up and the response down, and turn every failure into a clear answer.
 *
 * <pre>
 *  client ──read()──▶ ClientRequestReceiver ──content──▶ ProxyExchange ──write──▶ upstream
 *    ▲                                                        │
 *    └──────────── write (head, content) ◀── onResponseObject ─┘
 * </pre>
 *
 * <p>Backpressure, one scheme per direction. Request: the client channel never auto-reads; the next
 * request part is read only once the upstream channel is writable again. Response: the upstream
 * channel auto-reads until the client channel stops being writable, and resumes when it drains.
 *
 * <p>Every method runs on the client connection's event loop, which is also the upstream
 * connection's, so the exchange holds no lock.
 */
final class ProxyExchange implements UpstreamConnection.Listener {
  static final AsciiString X_SALVE_UPSTREAM = AsciiString.cached("x-salve-upstream");

  private final ClientRequestReceiver receiver;
  private final ChannelHandlerContext client;
  private final ListenerContext listener;
  private final Route route;
  private final Upstream upstream;
  private final HttpRequest request;
  private final RequestFacts facts;
  private final AdmissionControl.Permit permit;

  private UpstreamConnection conn;
  private Endpoint endpoint;
  private int attempts;
  private boolean requestRead;
  private boolean requestSent;
  private boolean informational;
  private boolean responseStarted;
  private boolean responseDone;
  private boolean upstreamKeepAlive;
  private boolean closeClient;
  private boolean finished;
  private boolean inFlightCounted;
  private long bytesIn;
  private long bytesOut;
  private int status;
  private ScheduledFuture<?> deadline;

  ProxyExchange(
      ClientRequestReceiver receiver,
      ChannelHandlerContext client,
      ListenerContext listener,
      Route route,
      Upstream upstream,
      HttpRequest request,
      RequestFacts facts,
      AdmissionControl.Permit permit) {
    this.permit = permit;
    this.receiver = receiver;
    this.client = client;
    this.listener = listener;
    this.route = route;
    this.upstream = upstream;
    this.request = request;
    this.facts = facts;
  }

  void start() {
    Duration timeout = route.config().timeout();
    if (timeout != null) {
      deadline = client.executor().schedule(this::deadlineExpired, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
    attempt();
  }

  private void attempt() {
    endpoint = upstream.choose(endpoint, ThreadLocalRandom.current());
    if (endpoint == null) {
      respondLocally(HttpResponseStatus.SERVICE_UNAVAILABLE, "no_healthy_endpoint", "upstream has no endpoint to send to");
      return;
    }
    attempts++;
    endpoint.inFlight().incrementAndGet();
    inFlightCounted = true;
    Future<UpstreamConnection> f = upstream.acquire(endpoint, client.channel().eventLoop(), this);
    if (f.isDone()) {
      onAcquired(f);
    } else {
      f.addListener(this::onAcquired);
    }
  }

  private void onAcquired(Future<? super UpstreamConnection> f) {
    if (finished) {
      if (f.isSuccess()) {
        ((UpstreamConnection) f.getNow()).release(true);
      }
      return;
    }
    if (!f.isSuccess()) {
      attemptFailed(f.cause() instanceof PoolExhaustedException ? Failure.POOL_EXHAUSTED : Failure.CONNECT);
      return;
    }
    conn = (UpstreamConnection) f.getNow();
    Channel up = conn.channel();
    if (!request.headers().contains(HttpHeaderNames.HOST)) {
      request.headers().set(HttpHeaderNames.HOST, endpoint.key()); // HTTP/1.0 without Host, sent on as 1.1
    }
    up.writeAndFlush(request, up.voidPromise());
    if (!requestRead && up.isWritable()) {
      client.read();
    }
  }

  /** A part of the request body from the client; ownership passes here. */
  void onRequestContent(HttpContent content) {
    int size = content.content().readableBytes();
    bytesIn += size;
    boolean last = content instanceof LastHttpContent;
    if (last) {
      requestRead = true;
    }
    if (finished || conn == null) {
      content.release();
      return;
    }
    long limit = facts.maxRequestBody();
    if (limit >= 0 && bytesIn > limit) {
      content.release();
      abortAttempt();
      respondLocally(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large", "request body exceeds " + limit + " bytes");
      return;
    }
    Channel up = conn.channel();
    up.writeAndFlush(content, up.voidPromise());
    if (last) {
      requestSent = true;
    } else if (up.isWritable()) {
      client.read();
    }
  }

  /**
   * The client's chunked body broke its framing after the head went upstream: the upstream
   * connection is closed without the body's end, so the upstream never sees a complete request, and
   * the client gets 400 (or, if the response already started, a closed connection).
   */
  void onRequestBodyMalformed() {
    if (finished) {
      return;
    }
    abortAttempt();
    if (responseStarted) {
      closeClient = true;
      finish("bad_request");
      client.close();
      return;
    }
    respondLocally(HttpResponseStatus.BAD_REQUEST, "bad_request", "malformed request body");
  }

  @Override
  public void onUpstreamWritabilityChanged(boolean writable) {
    if (writable && !requestRead && !finished) {
      client.read();
    }
  }

  /** The client channel's writability changed: pause or resume reading the upstream response. */
  void onClientWritabilityChanged(boolean writable) {
    if (conn != null && !responseDone) {
      conn.channel().config().setAutoRead(writable);
    }
  }

  @Override
  public void onResponseObject(HttpObject msg) {
    if (finished) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg.decoderResult().isFailure()) {
      ReferenceCountUtil.release(msg);
      attemptFailed(Failure.PROTOCOL);
      return;
    }
    if (msg instanceof HttpResponse) {
      onResponseHead((HttpResponse) msg);
    }
    if (msg instanceof HttpContent) {
      onResponseContent((HttpContent) msg);
    }
  }

  private void onResponseHead(HttpResponse response) {
    int code = response.status().code();
    if (code < 200) {
      if (code == 101) {
        attemptFailed(Failure.PROTOCOL); // upgrades are not proxied: Upgrade was stripped on the way up
        return;
      }
      informational = true;
      HopByHop.strip(response.headers());
      client.write(response);
      return;
    }
    if (!HopByHop.strip(response.headers())) {
      attemptFailed(Failure.PROTOCOL);
      return;
    }
    status = code;
    upstreamKeepAlive = HttpUtil.isKeepAlive(response);
    listener.observer().onAttemptEnded(upstream.name(), endpoint.key(), (code / 100) + "xx");
    boolean bodyless = facts.isHead() || code == 204 || code == 304;
    if (!bodyless && !response.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
      if (facts.clientVersion() == HttpVersion.HTTP_1_1) {
        response.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      } else {
        closeClient = true; // an HTTP/1.0 client learns the end of the body from the close
      }
    }
    if (!requestRead) {
      closeClient = true; // the rest of the request body will not be read
    }
    boolean keepAlive = facts.clientKeepAlive() && !closeClient && !listener.draining();
    if (!keepAlive) {
      closeClient = true;
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (facts.clientVersion() == HttpVersion.HTTP_1_0) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    response.setProtocolVersion(HttpVersion.HTTP_1_1);
    response.headers().set(X_SALVE_UPSTREAM, upstream.name());
    responseStarted = true;
    client.write(response);
  }

  private void onResponseContent(HttpContent content) {
    boolean last = content instanceof LastHttpContent;
    if (informational) {
      if (last) {
        informational = false;
        client.writeAndFlush(content);
      } else {
        content.release();
      }
      return;
    }
    bytesOut += content.content().readableBytes();
    if (!last) {
      client.writeAndFlush(content);
      if (!client.channel().isWritable()) {
        conn.channel().config().setAutoRead(false);
      }
      return;
    }
    responseDone = true;
    ChannelFuture written = client.writeAndFlush(content);
    releaseConnection(requestSent && upstreamKeepAlive);
    finish(null);
    if (closeClient) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void onUpstreamClosed() {
    if (!finished && !responseDone) {
      attemptFailed(Failure.RESET);
    }
  }

  @Override
  public void onUpstreamError(Throwable cause) {
    if (!finished && !responseDone) {
      attemptFailed(cause instanceof DecoderException ? Failure.PROTOCOL : Failure.RESET);
    }
  }

  @Override
  public void onUpstreamIdle() {
    if (!finished) {
      attemptFailed(Failure.TIMEOUT);
    }
  }

  private void deadlineExpired() {
    deadline = null;
    if (!finished) {
      attemptFailed(Failure.TIMEOUT);
    }
  }

  /** The client connection closed before the exchange ended. */
  void onClientClosed() {
    if (finished) {
      return;
    }
    abortAttempt();
    if (!responseStarted) {
      status = 499;
    }
    closeClient = true;
    finish("client_closed");
  }

  private void attemptFailed(Failure failure) {
    if (conn != null || failure == Failure.CONNECT || failure == Failure.POOL_EXHAUSTED) {
      listener.observer().onAttemptEnded(upstream.name(), endpoint.key(), failure.outcome);
    }
    abortAttempt();
    if (responseStarted) {
      // Part of the response is out: the only honest signal left is to close the connection.
      closeClient = true;
      finish(failure.reason);
      client.close();
      return;
    }
    respondLocally(failure.status, failure.reason, failure.message);
  }

  /** Gives up the current upstream connection, which is closed: its state is unknown. */
  private void abortAttempt() {
    releaseConnection(false);
  }

  private void releaseConnection(boolean reusable) {
    if (inFlightCounted) {
      inFlightCounted = false;
      endpoint.inFlight().decrementAndGet();
    }
    if (conn != null) {
      UpstreamConnection c = conn;
      conn = null;
      c.channel().config().setAutoRead(true);
      c.release(reusable);
    }
  }

  private void respondLocally(HttpResponseStatus st, String reason, String message) {
    status = st.code();
    boolean close = !requestRead || !facts.clientKeepAlive() || listener.draining();
    closeClient = close;
    ChannelFuture f = client.writeAndFlush(ErrorResponses.of(client.alloc(), st, reason, message, close));
    finish(reason);
    if (close) {
      f.addListener(ChannelFutureListener.CLOSE);
    }
  }

  private void finish(String error) {
    if (finished) {
      return;
    }
    finished = true;
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
    long duration = System.nanoTime() - facts.startNanos();
    permit.release(status, duration);
    listener
        .observer()
        .onRequestEnded(
            new ExchangeRecord(
                facts.epochMillis(),
                facts.requestId(),
                facts.client(),
                facts.method(),
                facts.path(),
                listener.name(),
                route.name(),
                upstream.name(),
                endpoint == null ? null : endpoint.key(),
                status,
                duration,
                bytesIn,
                bytesOut,
                attempts,
                error));
    receiver.exchangeFinished(closeClient);
  }

  /** How an attempt failed, and what the client hears when it is the last word. */
  enum Failure {
    CONNECT(HttpResponseStatus.BAD_GATEWAY, "upstream_connect_failure", "could not connect to upstream", "connect_failure"),
    POOL_EXHAUSTED(HttpResponseStatus.SERVICE_UNAVAILABLE, "overloaded", "no upstream connection became free in time", "pool_exhausted"),
    RESET(HttpResponseStatus.BAD_GATEWAY, "upstream_reset", "upstream closed the connection before a full response", "reset"),
    TIMEOUT(HttpResponseStatus.GATEWAY_TIMEOUT, "upstream_timeout", "upstream did not answer in time", "timeout"),
    PROTOCOL(HttpResponseStatus.BAD_GATEWAY, "upstream_protocol_error", "upstream sent a malformed response", "protocol_error");

    final HttpResponseStatus status;
    final String reason;
    final String message;
    final String outcome;

    Failure(HttpResponseStatus status, String reason, String message, String outcome) {
      this.status = status;
      this.reason = reason;
      this.message = message;
      this.outcome = outcome;
    }
  }
}
