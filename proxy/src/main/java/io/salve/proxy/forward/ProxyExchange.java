package io.salve.proxy.forward;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.salve.proxy.resilience.AttemptOutcome;
import io.salve.proxy.resilience.RetryPlanner;
import io.salve.proxy.route.Route;
import io.salve.proxy.upstream.Endpoint;
import io.salve.proxy.tls.UpstreamTlsException;
import io.salve.proxy.upstream.PoolExhaustedException;
import io.salve.proxy.upstream.Upstream;
import io.salve.proxy.upstream.UpstreamConnection;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One request's trip through salve: admission to the upstream (bulkhead, circuit breaker), then one
 * or more attempts, each picking an endpoint, borrowing a pooled connection on the client's event
 * loop, streaming the request up and the response down; failures become retries or clear answers.
 *
 * <pre>
 *  client ──readMore──▶ ClientRequestReceiver ──content──▶ ProxyExchange ──write──▶ upstream
 *    ▲                                                        │
 *    └──────────── write (head, content) ◀── onResponseObject ─┘
 * </pre>
 *
 * <p>Backpressure, one scheme per direction. Request: the client channel never auto-reads; the next
 * request part is read only once the upstream channel is writable. Response: the upstream channel
 * auto-reads until the client channel stops being writable, and resumes when it drains.
 *
 * <p>Retries: decided by a {@link RetryPlanner} before any byte of a response reaches the client; a
 * body already sent is replayed from a {@link ReplayBuffer} when it fit. Every method runs on the
 * client connection's event loop, which is also the upstream connection's, so there is no lock.
 */
final class ProxyExchange implements UpstreamConnection.Listener {
  /** The attempt outcome label of a response, by its status code's first digit (codes are 100-999). */
  private static final String[] STATUS_CLASSES = {"0xx", "1xx", "2xx", "3xx", "4xx", "5xx", "6xx", "7xx", "8xx", "9xx"};

  private final ClientRequestReceiver receiver;
  private final ChannelHandlerContext client;
  private final ListenerContext listener;
  private final Route route;
  private final Upstream upstream;
  private final HttpRequest request;
  private final RequestFacts facts;
  private final AdmissionControl.Permit permit;
  private final RetryControl retries;
  private final ReplayBuffer replay;
  private final AttemptLedger ledger;

  private UpstreamConnection conn;
  private Endpoint endpoint;
  private boolean inFlightCounted;
  private boolean bulkheadHeld;
  private int attempts;
  private boolean requestRead;
  private boolean requestSent;
  private boolean informational;
  private boolean responseStarted;
  private boolean responseDone;
  private boolean closeClient;
  private boolean finished;
  private long bytesIn;
  private long bytesOut;
  private int status;
  private ScheduledFuture<?> deadline;
  private ScheduledFuture<?> attemptTimer;

  ProxyExchange(
      ClientRequestReceiver receiver,
      ChannelHandlerContext client,
      ListenerContext listener,
      Route route,
      Upstream upstream,
      HttpRequest request,
      RequestFacts facts,
      AdmissionControl.Permit permit) {
    this.receiver = receiver;
    this.client = client;
    this.listener = listener;
    this.route = route;
    this.upstream = upstream;
    this.request = request;
    this.facts = facts;
    this.permit = permit;
    this.retries = new RetryControl(route, upstream, request, facts, listener.observer());
    this.replay = retries.replay();
    this.ledger = new AttemptLedger(upstream);
  }

  void start() {
    if (!upstream.bulkhead().tryAcquire()) {
      reject("overloaded", HttpResponseStatus.SERVICE_UNAVAILABLE, "too many requests in flight to the upstream", 0);
      return;
    }
    bulkheadHeld = true;
    upstream.retryBudget().onRequest();
    Duration timeout = route.config().timeout();
    if (timeout != null) {
      deadline = client.executor().schedule(this::deadlineExpired, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
    attempt();
  }

  private void attempt() {
    attemptTimer = null;
    if (finished) {
      return;
    }
    if (!ledger.admit()) {
      reject("circuit_open", HttpResponseStatus.SERVICE_UNAVAILABLE, "upstream circuit is open", ledger.openSeconds());
      return;
    }
    endpoint = upstream.choose(endpoint, ThreadLocalRandom.current());
    if (endpoint == null) {
      ledger.release();
      respondLocally(HttpResponseStatus.SERVICE_UNAVAILABLE, "no_healthy_endpoint", "upstream has no endpoint to send to", 0);
      return;
    }
    attempts++;
    requestSent = false;
    endpoint.inFlight().incrementAndGet();
    inFlightCounted = true;
    Duration perTry = retries.perTryTimeout();
    if (perTry != null) {
      attemptTimer = client.executor().schedule(() -> attemptFailed(AttemptFailure.TIMEOUT), perTry.toNanos(), TimeUnit.NANOSECONDS);
    }
    int attempt = attempts;
    Future<UpstreamConnection> f = upstream.acquire(endpoint, client.channel().eventLoop(), this);
    if (f.isDone()) {
      onAcquired(f, attempt);
    } else {
      f.addListener(done -> onAcquired(done, attempt));
    }
  }

  private void onAcquired(Future<? super UpstreamConnection> f, int attempt) {
    if (finished || !inFlightCounted || attempt != attempts) {
      // This attempt was given up (timeout, client gone) while its connection was being made.
      if (f.isSuccess()) {
        ((UpstreamConnection) f.getNow()).release(true);
      }
      return;
    }
    if (!f.isSuccess()) {
      attemptFailed(f.cause() instanceof PoolExhaustedException ? AttemptFailure.POOL_EXHAUSTED
          : f.cause() instanceof UpstreamTlsException ? AttemptFailure.TLS : AttemptFailure.CONNECT);
      return;
    }
    conn = (UpstreamConnection) f.getNow();
    Channel up = conn.channel();
    up.write(request, up.voidPromise());
    if (replay != null) {
      replay.replayTo(up);
    }
    requestSent = requestRead;
    if (!requestRead && up.isWritable()) {
      // Often delivers an already-decoded last part synchronously, so head and end share one flush.
      receiver.readMore();
    }
    up.flush();
  }

  /** A part of the request body from the client; ownership passes here. */
  void onRequestContent(HttpContent content) {
    bytesIn += content.content().readableBytes();
    boolean last = content instanceof LastHttpContent;
    if (last) {
      requestRead = true;
    }
    if (finished) {
      content.release();
      return;
    }
    long limit = facts.maxRequestBody();
    if (limit >= 0 && bytesIn > limit) {
      content.release();
      abortAttempt();
      respondLocally(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large", "request body exceeds " + limit + " bytes", 0);
      return;
    }
    if (conn == null) {
      // No attempt is connected, so a retry waits or connects: a read asked for by the failed attempt
      // brought this. The retry must send it, past maxBufferedBody too, or the upstream would get the
      // body with a hole in it. (Without a replay buffer no retry follows a connected attempt.)
      if (replay != null) {
        replay.hold(content);
      }
      content.release();
      return;
    }
    if (replay != null) {
      replay.keep(content);
    }
    Channel up = conn.channel();
    conn.touch(); // before the write: a write that fails at once ends the attempt and clears conn
    up.writeAndFlush(content, up.voidPromise());
    if (last) {
      requestSent = true;
    } else if (up.isWritable()) {
      receiver.readMore();
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
    respondLocally(HttpResponseStatus.BAD_REQUEST, "bad_request", "malformed request body", 0);
  }

  @Override
  public void onUpstreamWritabilityChanged(boolean writable) {
    if (writable && !requestRead && !finished) {
      receiver.readMore();
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
      attemptFailed(AttemptFailure.PROTOCOL);
      return;
    }
    if (msg instanceof HttpResponse && !onResponseHead((HttpResponse) msg)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpContent) {
      onResponseContent((HttpContent) msg);
    }
  }

  /** @return false when the response is not passed on (retried or refused). */
  private boolean onResponseHead(HttpResponse response) {
    int code = response.status().code();
    if (code < 200) {
      if (code == 101) {
        attemptFailed(AttemptFailure.PROTOCOL); // upgrades are not proxied: Upgrade was stripped on the way up
        return false;
      }
      informational = true;
      HopByHop.strip(response.headers());
      client.write(response);
      return true;
    }
    int fields = FieldScan.of(response.headers());
    if (!HopByHop.strip(response.headers(), fields)) {
      attemptFailed(AttemptFailure.PROTOCOL);
      return false;
    }
    AttemptOutcome outcome = AttemptOutcome.status(code);
    cancelAttemptTimer();
    listener.observer().onAttemptEnded(upstream.name(), endpoint.key(), STATUS_CLASSES[code / 100]);
    ledger.record(outcome, endpoint);
    RetryPlanner.Decision d = decide(outcome, response.headers());
    if (d != null && d.retry()) {
      abortAttempt(); // drop this response and its connection; the retry gets a fresh exchange of bytes
      scheduleRetry(d, outcome);
      return false;
    }
    status = code;
    closeClient |=
        ResponseFraming.prepare(
            response, facts, requestRead, listener.draining(), upstream.name(), attempts, (fields & FieldScan.X_SALVE) != 0);
    responseStarted = true;
    client.write(response);
    return true;
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
      if (conn != null && !client.channel().isWritable()) { // the write may have ended the exchange
        conn.channel().config().setAutoRead(false);
      }
      return;
    }
    responseDone = true;
    ChannelFuture written = client.writeAndFlush(content);
    releaseConnection(requestSent); // the connection itself refuses reuse after Connection: close
    finish(null);
    if (closeClient) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void onUpstreamClosed() {
    if (!finished && !responseDone) {
      attemptFailed(AttemptFailure.RESET);
    }
  }

  @Override
  public void onUpstreamError(Throwable cause) {
    if (!finished && !responseDone) {
      // An SSL error here is a TLS alert after the handshake looked done, as a TLS 1.3 upstream sends
      // when it refuses salve's client certificate: a TLS failure, not a malformed response.
      attemptFailed(UpstreamTlsException.isTlsFailure(cause) ? AttemptFailure.TLS
          : cause instanceof DecoderException ? AttemptFailure.PROTOCOL : AttemptFailure.RESET);
    }
  }

  @Override
  public void onUpstreamIdle() {
    if (!finished) {
      attemptFailed(AttemptFailure.TIMEOUT);
    }
  }

  private void deadlineExpired() {
    deadline = null;
    if (finished) {
      return;
    }
    if (inFlightCounted && !responseStarted) {
      listener.observer().onAttemptEnded(upstream.name(), endpoint.key(), AttemptFailure.TIMEOUT.outcome);
      ledger.record(AttemptOutcome.timeout(), endpoint);
    }
    abortAttempt();
    endWith(AttemptFailure.TIMEOUT);
  }

  /** The client connection closed before the exchange ended. */
  void onClientClosed() {
    if (finished) {
      return;
    }
    ledger.release();
    abortAttempt();
    if (!responseStarted) {
      status = 499;
    }
    closeClient = true;
    finish("client_closed");
  }

  private void attemptFailed(AttemptFailure failure) {
    if (finished || !inFlightCounted) {
      return;
    }
    cancelAttemptTimer();
    listener.observer().onAttemptEnded(upstream.name(), endpoint.key(), failure.outcome);
    AttemptOutcome outcome = failure.attemptOutcome();
    ledger.record(outcome, endpoint);
    abortAttempt();
    if (!responseStarted && outcome != null) {
      RetryPlanner.Decision d = decide(outcome, null);
      if (d != null && d.retry()) {
        scheduleRetry(d, outcome);
        return;
      }
    }
    endWith(failure);
  }

  private void endWith(AttemptFailure failure) {
    if (responseStarted) {
      // Part of the response is out: the only honest signal left is to close the connection.
      closeClient = true;
      finish(failure.reason);
      client.close();
      return;
    }
    respondLocally(failure.status, failure.reason, failure.message, 0);
  }

  /** @return the planner's decision, or null when a retry is impossible for structural reasons. */
  private RetryPlanner.Decision decide(AttemptOutcome outcome, HttpHeaders response) {
    return retries.decide(attempts, outcome, bytesIn, response);
  }

  private void scheduleRetry(RetryPlanner.Decision d, AttemptOutcome outcome) {
    listener.observer().onRetry(upstream.name(), outcome.reason());
    attemptTimer = client.executor().schedule(this::attempt, d.delayNanos(), TimeUnit.NANOSECONDS);
  }

  private void cancelAttemptTimer() {
    if (attemptTimer != null) {
      attemptTimer.cancel(false);
      attemptTimer = null;
    }
  }

  /** Gives up the current upstream connection, which is closed: its state is unknown. */
  private void abortAttempt() {
    cancelAttemptTimer();
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

  private void reject(String reason, HttpResponseStatus st, String message, long retryAfterSeconds) {
    listener.observer().onRejected(upstream.name(), reason);
    respondLocally(st, reason, message, retryAfterSeconds);
  }

  private void respondLocally(HttpResponseStatus st, String reason, String message, long retryAfterSeconds) {
    status = st.code();
    boolean close = (!requestRead && facts.hasBody()) || !facts.clientKeepAlive() || listener.draining();
    closeClient = close;
    FullHttpResponse response = ErrorResponses.of(client.alloc(), st, reason, message, close);
    response.headers().setInt(ResponseFraming.X_SALVE_ATTEMPTS, attempts); // 0: the upstream never saw the request
    if (retryAfterSeconds > 0) {
      response.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
    }
    ChannelFuture f = client.writeAndFlush(response);
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
    cancelAttemptTimer();
    ledger.release();
    if (replay != null) {
      replay.release();
    }
    if (bulkheadHeld) {
      bulkheadHeld = false;
      upstream.bulkhead().release();
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
    receiver.exchangeFinished(closeClient, requestRead);
  }
}
