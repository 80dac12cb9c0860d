package io.salve.proxy.forward;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.salve.proxy.grpc.GrpcStatus;
import io.salve.proxy.resilience.RetryPlanner;
import io.salve.proxy.route.Route;
import io.salve.proxy.upstream.Upstream;
import io.salve.proxy.upstream.UpstreamStream;
import java.time.Duration;

/**
 * One request's trip through salve: admission to the upstream's bulkhead, then the {@link
 * AttemptLoop}, then the end (a relayed response, salve's own answer, or a cut-off connection). It
 * holds the exchange's one {@link ExchangeState} and hears the client side's events. Every method
 * runs on the client side's event loop, which is also the upstream stream's: no lock.
 *
 * <pre>
 *  ClientSide ──content──▶ ProxyExchange ──▶ UpstreamRequestWriter ──▶ UpstreamStream
 *     ▲                     AttemptLoop  ◀── final head, failures ──┐     │
 *     └─── ClientResponseWriter ◀────────── UpstreamResponseReader ◀─┴─────┘
 *   ExchangeResources: what the exchange holds, released once; ExchangeTimers: deadline, per try
 * </pre>
 *
 * <p>Backpressure, one scheme per direction. Request: the client side never auto-reads; the next part
 * is read only while the upstream stream is writable. Response: the stream auto-reads until the client
 * side stops being writable. Retries are decided by a {@link RetryPlanner} before any byte of a
 * response reaches the client; a body already sent is replayed from a {@link ReplayBuffer}.
 */
final class ProxyExchange {

  private final ClientSide client;
  private final ListenerContext listener;
  private final Route route;
  private final Upstream upstream;
  private final RequestFacts facts;
  private final ExchangeResources held;
  private final UpstreamRequestWriter requestWriter;
  private final ClientResponseWriter responseWriter;
  private final ExchangeTimers timers;
  private final AttemptLoop attempts;
  private final UpgradeDecision upgrade;
  private ExchangeState state = ExchangeState.NEW;

  ProxyExchange(
      ClientSide client, ListenerContext listener, Route route, Upstream upstream, HttpRequest request,
      RequestFacts facts, AdmissionControl.Permit permit, UpgradeDecision upgrade) {
    this.client = client;
    this.upgrade = upgrade;
    this.listener = listener;
    this.route = route;
    this.upstream = upstream;
    this.facts = facts;
    if (facts.grpc() != null) {
      // TE is hop-by-hop and was stripped; gRPC servers expect it, and salve does pass trailers on.
      request.headers().set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
    }
    RetryControl retries = new RetryControl(route, upstream, request, facts, listener);
    this.held = new ExchangeResources(upstream.bulkhead(), permit, new AttemptLedger(upstream), retries.replay());
    this.requestWriter = new UpstreamRequestWriter(request, client, retries.replay(), facts.maxRequestBody());
    if (facts.grpc() != null) {
      requestWriter.grpcDeadline(facts.deadlineNanos(route.config().timeout()), retries.perTryTimeout(), facts.startNanos(), listener.ticker());
    }
    this.responseWriter = new ClientResponseWriter(client, facts, listener, upstream.name());
    this.timers = new ExchangeTimers(client.eventLoop());
    UpstreamResponseReader reader = new UpstreamResponseReader(this, client, responseWriter, requestWriter, held);
    this.attempts = new AttemptLoop(this, listener, upstream, held, timers, retries, requestWriter, reader, facts.grpc() != null);
  }

  ExchangeState state() {
    return state;
  }

  /** For the attempt loop and the response reader, which move the exchange along its path. */
  void moveTo(ExchangeState next) {
    state = next;
  }

  EventLoop eventLoop() {
    return client.eventLoop();
  }

  void start() {
    if (!held.acquireBulkhead()) {
      listener.observer().onRejected(upstream.name(), "overloaded");
      respondLocally(HttpResponseStatus.SERVICE_UNAVAILABLE, "overloaded", "too many requests in flight to the upstream", 0,
          GrpcStatus.RESOURCE_EXHAUSTED);
      return;
    }
    upstream.retryBudget().onRequest();
    long deadline = facts.deadlineNanos(route.config().timeout());
    timers.startDeadline(deadline < 0 ? null : Duration.ofNanos(deadline), this::deadlineExpired);
    attempts.next();
  }

  /** A part of the request body from the client; ownership passes here. */
  void onRequestContent(HttpContent content) {
    boolean withinLimit = requestWriter.received(content);
    if (state == ExchangeState.DONE) {
      content.release();
    } else if (!withinLimit) {
      content.release();
      attempts.abort();
      respondLocally(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large", "request body exceeds " + requestWriter.maxBody() + " bytes", 0);
    } else {
      requestWriter.forward(content, held.stream());
    }
  }

  /**
   * The client's chunked body broke its framing after the head went upstream: the upstream stream
   * is closed without the body's end, so the upstream never sees a complete request, and the client
   * gets 400 (or, if the response already started, a closed connection).
   */
  void onRequestBodyMalformed() {
    if (state == ExchangeState.DONE) {
      return;
    }
    attempts.abort();
    if (state.responseStarted()) {
      cutOff("bad_request");
      return;
    }
    respondLocally(HttpResponseStatus.BAD_REQUEST, "bad_request", "malformed request body", 0);
  }

  /** The client side's writability changed: pause or resume reading the upstream response. */
  void onClientWritabilityChanged(boolean writable) {
    held.readResponse(writable);
  }

  /** The client connection closed before the exchange ended. */
  void onClientClosed() {
    if (state == ExchangeState.DONE) {
      return;
    }
    held.ledger().release();
    attempts.abort();
    responseWriter.clientGone(state.responseStarted());
    finish("client_closed");
  }

  /**
   * The final head of the current attempt's response: retried, or passed on to the client, after
   * which nothing is retried.
   *
   * @return whether the head is passed on
   */
  boolean onFinalHead(HttpResponse response, int fields) {
    if (upgrade.upgrades()) {
      attempts.answered(response.status().code()); // an upgrade request is never sent twice
    } else if (attempts.retriedOnResponse(response.status().code(), response.headers())) {
      return false; // this response and its stream are dropped; the retry starts afresh
    }
    state = ExchangeState.RESPONDING;
    responseWriter.head(response, fields, requestWriter.requestRead(), attempts.attempts());
    return true;
  }

  /** The response's last part is being written: the stream goes back, the exchange ends. */
  void onResponseComplete(ChannelFuture lastWritten) {
    attempts.responseEnded(responseWriter.grpcStatus());
    held.releaseAttempt(requestWriter.requestSent()); // the stream itself refuses reuse after Connection: close
    finish(null);
    responseWriter.closeAfter(lastWritten);
  }

  /** The current attempt failed (its stream said so, or its timer ran out); events after the end are ignored. */
  void attemptFailed(AttemptFailure failure) {
    if (state == ExchangeState.DONE || !held.attemptHeld()) {
      return;
    }
    // An upgrade request is never retried once sent: the upstream may have acted on it.
    if (!attempts.failed(failure, state.responseStarted() || upgrade.upgrades())) {
      endWith(failure);
    }
  }

  /**
   * The upstream switched protocols. For a request forwarded as an upgrade, the 101 head goes to the
   * client and both connections become a {@link Tunnel}: the route timeout ends here, the tunnel has
   * its own idle timeout, and the upstream connection leaves its pool for good.
   *
   * @return false when the request was not an upgrade (the 101 is then a protocol failure)
   */
  boolean onSwitchingProtocols(HttpResponse response) {
    if (!upgrade.upgrades()) {
      return false;
    }
    attempts.answered(101);
    UpstreamStream stream = held.detachStream();
    Channel upstreamChannel = stream.detachForTunnel();
    state = ExchangeState.DONE;
    timers.cancelAll();
    client.writeAndFlush(response);
    ExchangeObserver observer = listener.observer();
    String listenerName = listener.name();
    observer.onTunnelOpened(listenerName); // before the request ends, so the drain never sees zero between
    Tunnel.open(client.tunnelChannel(), upstreamChannel, listener.ticker(), route.config().upgradeIdleTimeout(),
        (t, end) -> observer.onTunnelClosed(listenerName, end, t.bytesToUpstream(), t.bytesToClient()));
    // The pinned order (TunnelTest): tunnel open, then each side's response handler, then its codec.
    stream.dropHttpHandlers();
    client.dropHttpHandlers();
    record(101, null);
    return true;
  }

  private void deadlineExpired() {
    if (state == ExchangeState.DONE) {
      return;
    }
    attempts.deadlinePassed(state.responseStarted());
    endWith(AttemptFailure.TIMEOUT);
  }

  private void endWith(AttemptFailure failure) {
    if (state.responseStarted()) {
      cutOff(failure.reason);
      return;
    }
    respondLocally(failure.status, failure.reason, failure.message, 0);
  }

  /** Part of the response is out: the only honest signal left is to close the connection. */
  private void cutOff(String reason) {
    responseWriter.mustClose();
    finish(reason);
    client.close();
  }

  /** Answers with salve's own response (the attempt loop's refusals too) and ends the exchange. */
  void respondLocally(HttpResponseStatus st, String reason, String message, long retryAfterSeconds) {
    respondLocally(st, reason, message, retryAfterSeconds, GrpcStatus.forAnswer(st.code(), reason));
  }

  /** @param grpcStatus the status of the answer when the request is a gRPC call */
  private void respondLocally(HttpResponseStatus st, String reason, String message, long retryAfterSeconds, int grpcStatus) {
    ChannelFuture f = responseWriter.local(
        st, reason, message, retryAfterSeconds, requestWriter.requestRead(), attempts.attempts(), grpcStatus);
    finish(reason);
    responseWriter.closeAfter(f);
  }

  private void finish(String error) {
    state = ExchangeState.DONE;
    timers.cancelAll();
    if (record(responseWriter.status(), error)) {
      client.exchangeFinished(responseWriter.closeClient(), requestWriter.requestRead());
    }
  }

  /** Releases what the exchange holds and logs it, once. @return whether this call did. */
  private boolean record(int status, String error) {
    long duration = listener.ticker().nanos() - facts.startNanos();
    int grpcStatus = responseWriter.grpcStatus();
    if (!held.close(GrpcStatus.loadSignalStatus(status, grpcStatus), duration)) {
      return false;
    }
    String endpoint = attempts.endpoint() == null ? null : attempts.endpoint().key();
    listener
        .observer()
        .onRequestEnded(
            new ExchangeRecord(
                facts.epochMillis(), facts.requestId(), facts.client(), facts.method(), facts.path(), listener.name(),
                route.name(), upstream.name(), endpoint, status, duration, requestWriter.bytesIn(),
                responseWriter.bytesOut(), attempts.attempts(), error, facts.protocol(), grpcStatus));
    return true;
  }
}
