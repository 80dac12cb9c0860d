package io.salve.proxy.forward;

import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.Future;
import io.salve.proxy.resilience.AttemptOutcome;
import io.salve.proxy.resilience.RetryPlanner;
import io.salve.proxy.route.Route;
import io.salve.proxy.tls.UpstreamTlsException;
import io.salve.proxy.upstream.Endpoint;
import io.salve.proxy.upstream.PoolExhaustedException;
import io.salve.proxy.upstream.Upstream;
import io.salve.proxy.upstream.UpstreamStream;
import java.time.Duration;

/**
 * One request's trip through salve, as an attempt loop: admission to the upstream (bulkhead, circuit
 * breaker), then attempts, each choosing an endpoint and opening a stream to it on the client's event
 * loop; failures become retries or clear answers. Every method runs on that loop: no lock.
 *
 * <pre>
 *  ClientSide ──content──▶ ProxyExchange ──▶ UpstreamRequestWriter ──▶ UpstreamStream
 *     ▲                    (attempt loop) ◀── final head, failures ──┐     │
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
  private final RetryControl retries;
  private final ExchangeResources held;
  private final UpstreamRequestWriter requestWriter;
  private final ClientResponseWriter responseWriter;
  private final ExchangeTimers timers;
  private final UpstreamResponseReader responseReader;
  private ExchangeState state = ExchangeState.NEW;
  private Endpoint endpoint;
  private int attempts;

  ProxyExchange(
      ClientSide client, ListenerContext listener, Route route, Upstream upstream, HttpRequest request,
      RequestFacts facts, AdmissionControl.Permit permit) {
    this.client = client;
    this.listener = listener;
    this.route = route;
    this.upstream = upstream;
    this.facts = facts;
    this.retries = new RetryControl(route, upstream, request, facts, listener);
    this.held = new ExchangeResources(upstream.bulkhead(), permit, new AttemptLedger(upstream), retries.replay());
    this.requestWriter = new UpstreamRequestWriter(request, client, retries.replay(), facts.maxRequestBody());
    this.responseWriter = new ClientResponseWriter(client, facts, listener, upstream.name());
    this.timers = new ExchangeTimers(client.eventLoop());
    this.responseReader = new UpstreamResponseReader(this, client, responseWriter, requestWriter, held);
  }

  ExchangeState state() {
    return state;
  }

  /** For the response reader, which tracks informational responses. */
  void moveTo(ExchangeState next) {
    state = next;
  }

  void start() {
    if (!held.acquireBulkhead()) {
      listener.observer().onRejected(upstream.name(), "overloaded");
      respondLocally(HttpResponseStatus.SERVICE_UNAVAILABLE, "overloaded", "too many requests in flight to the upstream", 0);
      return;
    }
    upstream.retryBudget().onRequest();
    timers.startDeadline(route.config().timeout(), this::deadlineExpired);
    attempt();
  }

  private void attempt() {
    if (state == ExchangeState.DONE) {
      return;
    }
    if (!held.ledger().admit()) {
      listener.observer().onRejected(upstream.name(), "circuit_open");
      respondLocally(HttpResponseStatus.SERVICE_UNAVAILABLE, "circuit_open", "upstream circuit is open", held.ledger().openSeconds());
      return;
    }
    endpoint = upstream.choose(endpoint, listener.random().current());
    if (endpoint == null) {
      held.ledger().release();
      String why = upstream.emptyReason();
      respondLocally(HttpResponseStatus.SERVICE_UNAVAILABLE, "no_healthy_endpoint", why == null ? "upstream has no endpoint to send to" : "upstream has no endpoint: " + why, 0);
      return;
    }
    attempts++;
    state = ExchangeState.CONNECTING;
    held.beginAttempt(endpoint);
    Duration perTry = retries.perTryTimeout();
    timers.startAttempt(perTry, () -> attemptFailed(AttemptFailure.TIMEOUT));
    int attempt = attempts;
    Future<? extends UpstreamStream> f = listener.upstreamSide().open(upstream, endpoint, client.eventLoop(), responseReader);
    if (f.isDone()) {
      onOpened(f, attempt);
    } else {
      f.addListener(done -> onOpened(f, attempt));
    }
  }

  private void onOpened(Future<? extends UpstreamStream> f, int attempt) {
    if (state != ExchangeState.CONNECTING || attempt != attempts) {
      // This attempt was given up (timeout, client gone) while its stream was being opened.
      if (f.isSuccess()) {
        f.getNow().release(true);
      }
      return;
    }
    if (!f.isSuccess()) {
      attemptFailed(f.cause() instanceof PoolExhaustedException ? AttemptFailure.POOL_EXHAUSTED
          : f.cause() instanceof UpstreamTlsException ? AttemptFailure.TLS : AttemptFailure.CONNECT);
      return;
    }
    state = ExchangeState.AWAITING_RESPONSE;
    held.holdStream(f.getNow());
    requestWriter.start(f.getNow());
  }

  /** A part of the request body from the client; ownership passes here. */
  void onRequestContent(HttpContent content) {
    boolean withinLimit = requestWriter.received(content);
    if (state == ExchangeState.DONE) {
      content.release();
    } else if (!withinLimit) {
      content.release();
      abortAttempt();
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
    abortAttempt();
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

  /**
   * The final head of the current attempt's response: retried, or passed on to the client, after
   * which nothing is retried.
   *
   * @return whether the head is passed on
   */
  boolean onFinalHead(HttpResponse response, int fields) {
    int code = response.status().code();
    timers.cancelAttempt();
    AttemptOutcome outcome = AttemptOutcome.status(code);
    judge(AttemptFailure.statusClass(code), outcome);
    if (retryIfPlanned(outcome, response.headers())) {
      return false; // this response and its stream are dropped; the retry starts afresh
    }
    state = ExchangeState.RESPONDING;
    responseWriter.head(response, fields, requestWriter.requestRead(), attempts);
    return true;
  }

  /** The response's last part is being written: the stream goes back, the exchange ends. */
  void onResponseComplete(ChannelFuture lastWritten) {
    held.releaseAttempt(requestWriter.requestSent()); // the stream itself refuses reuse after Connection: close
    finish(null);
    responseWriter.closeAfter(lastWritten);
  }

  private void deadlineExpired() {
    if (state == ExchangeState.DONE) {
      return;
    }
    if (held.attemptHeld() && !state.responseStarted()) {
      judge(AttemptFailure.TIMEOUT.outcome, AttemptOutcome.timeout());
    }
    abortAttempt();
    endWith(AttemptFailure.TIMEOUT);
  }

  /** The client connection closed before the exchange ended. */
  void onClientClosed() {
    if (state == ExchangeState.DONE) {
      return;
    }
    held.ledger().release();
    abortAttempt();
    responseWriter.clientGone(state.responseStarted());
    finish("client_closed");
  }

  /** The current attempt failed (its stream said so, or its timer ran out); events after the end are ignored. */
  void attemptFailed(AttemptFailure failure) {
    if (state == ExchangeState.DONE || !held.attemptHeld()) {
      return;
    }
    timers.cancelAttempt();
    AttemptOutcome outcome = failure.attemptOutcome();
    judge(failure.outcome, outcome);
    abortAttempt();
    if (!state.responseStarted() && outcome != null && retryIfPlanned(outcome, null)) {
      return;
    }
    endWith(failure);
  }

  private void judge(String label, AttemptOutcome outcome) { // metrics, breaker, outlier detector
    listener.observer().onAttemptEnded(upstream.name(), endpoint.key(), label);
    held.ledger().record(outcome, endpoint);
  }

  /**
   * Asks the planner whether the failed attempt is retried; if so, drops the attempt and schedules
   * the next one.
   *
   * @param response the upstream's response head (for its Retry-After), or null
   */
  private boolean retryIfPlanned(AttemptOutcome outcome, HttpHeaders response) {
    RetryPlanner.Decision d = retries.decide(attempts, outcome, requestWriter.bytesIn(), response);
    if (d == null || !d.retry()) {
      return false;
    }
    abortAttempt();
    state = ExchangeState.RETRY_PENDING;
    listener.observer().onRetry(upstream.name(), outcome.reason());
    timers.scheduleRetry(d.delayNanos(), this::attempt);
    return true;
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

  /** Gives up the current attempt; its stream is closed, its state being unknown. */
  private void abortAttempt() {
    timers.cancelAttempt();
    held.releaseAttempt(false);
  }

  private void respondLocally(HttpResponseStatus st, String reason, String message, long retryAfterSeconds) {
    ChannelFuture f = responseWriter.local(st, reason, message, retryAfterSeconds, requestWriter.requestRead(), attempts);
    finish(reason);
    responseWriter.closeAfter(f);
  }

  private void finish(String error) {
    state = ExchangeState.DONE;
    timers.cancelAll();
    long duration = listener.ticker().nanos() - facts.startNanos();
    if (!held.close(responseWriter.status(), duration)) {
      return;
    }
    listener
        .observer()
        .onRequestEnded(
            new ExchangeRecord(
                facts.epochMillis(), facts.requestId(), facts.client(), facts.method(), facts.path(), listener.name(),
                route.name(), upstream.name(), endpoint == null ? null : endpoint.key(), responseWriter.status(),
                duration, requestWriter.bytesIn(), responseWriter.bytesOut(), attempts, error));
    client.exchangeFinished(responseWriter.closeClient(), requestWriter.requestRead());
  }
}
