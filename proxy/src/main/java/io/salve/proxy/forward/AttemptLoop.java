package io.salve.proxy.forward;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.Future;
import io.salve.proxy.grpc.GrpcStatus;
import io.salve.proxy.resilience.AttemptOutcome;
import io.salve.proxy.resilience.RetryPlanner;
import io.salve.proxy.tls.UpstreamTlsException;
import io.salve.proxy.upstream.Endpoint;
import io.salve.proxy.upstream.PoolExhaustedException;
import io.salve.proxy.upstream.Upstream;
import io.salve.proxy.upstream.UpstreamStream;

/**
 * The attempts of one exchange: each is admitted by the circuit breaker, chooses an endpoint (away
 * from the one that just failed), opens a stream through the {@link UpstreamSide}, and is judged when
 * it ends (metrics, breaker, outlier detector); the {@link RetryPlanner} then decides whether another
 * follows, after its backoff. Protocol-neutral: it sees streams and outcomes, never a channel.
 */
final class AttemptLoop {
  private final ProxyExchange exchange;
  private final ListenerContext listener;
  private final Upstream upstream;
  private final ExchangeResources held;
  private final ExchangeTimers timers;
  private final RetryControl retries;
  private final UpstreamRequestWriter requestWriter;
  private final UpstreamStream.Listener responseReader;
  private final boolean grpc;
  private Endpoint endpoint;
  private int attempts;
  /** A gRPC call's 200 head came without grpc-status: the attempt is judged by its trailers. */
  private boolean awaitingTrailers;

  AttemptLoop(
      ProxyExchange exchange, ListenerContext listener, Upstream upstream, ExchangeResources held,
      ExchangeTimers timers, RetryControl retries, UpstreamRequestWriter requestWriter,
      UpstreamStream.Listener responseReader, boolean grpc) {
    this.exchange = exchange;
    this.listener = listener;
    this.upstream = upstream;
    this.held = held;
    this.timers = timers;
    this.retries = retries;
    this.requestWriter = requestWriter;
    this.responseReader = responseReader;
    this.grpc = grpc;
  }

  /** @return the endpoint of the latest attempt, or null before the first. */
  Endpoint endpoint() {
    return endpoint;
  }

  /** @return attempts made so far. */
  int attempts() {
    return attempts;
  }

  /** Starts the next attempt, or answers why none can be made. */
  void next() {
    if (exchange.state() == ExchangeState.DONE) {
      return;
    }
    if (!held.ledger().admit()) {
      listener.observer().onRejected(upstream.name(), "circuit_open");
      exchange.respondLocally(HttpResponseStatus.SERVICE_UNAVAILABLE, "circuit_open", "upstream circuit is open", held.ledger().openSeconds());
      return;
    }
    endpoint = upstream.choose(endpoint, listener.random().current());
    if (endpoint == null) {
      held.ledger().release();
      String why = upstream.emptyReason();
      exchange.respondLocally(HttpResponseStatus.SERVICE_UNAVAILABLE, "no_healthy_endpoint", why == null ? "upstream has no endpoint to send to" : "upstream has no endpoint: " + why, 0);
      return;
    }
    attempts++;
    exchange.moveTo(ExchangeState.CONNECTING);
    held.beginAttempt(endpoint);
    timers.startAttempt(retries.perTryTimeout(), () -> exchange.attemptFailed(AttemptFailure.TIMEOUT));
    int attempt = attempts;
    Future<? extends UpstreamStream> f = listener.upstreamSide().open(upstream, endpoint, exchange.eventLoop(), responseReader);
    if (f.isDone()) {
      onOpened(f, attempt);
    } else {
      f.addListener(done -> onOpened(f, attempt));
    }
  }

  private void onOpened(Future<? extends UpstreamStream> f, int attempt) {
    if (exchange.state() != ExchangeState.CONNECTING || attempt != attempts) {
      // This attempt was given up (timeout, client gone) while its stream was being opened.
      if (f.isSuccess()) {
        f.getNow().release(true);
      }
      return;
    }
    if (!f.isSuccess()) {
      exchange.attemptFailed(f.cause() instanceof PoolExhaustedException ? AttemptFailure.POOL_EXHAUSTED
          : f.cause() instanceof UpstreamTlsException ? AttemptFailure.TLS : AttemptFailure.CONNECT);
      return;
    }
    exchange.moveTo(ExchangeState.AWAITING_RESPONSE);
    held.holdStream(f.getNow());
    requestWriter.start(f.getNow());
  }

  /**
   * The current attempt failed: it is judged and given up (its stream closed), and retried if the
   * planner agrees and no response byte reached the client.
   *
   * @return whether a retry is scheduled
   */
  boolean failed(AttemptFailure failure, boolean responseStarted) {
    timers.cancelAttempt();
    AttemptOutcome outcome = failure.attemptOutcome();
    judge(failure.outcome, outcome);
    abort();
    return !responseStarted && outcome != null && retryIfPlanned(outcome, null);
  }

  /**
   * The current attempt's final response head arrived: it is judged, and dropped for a retry if the
   * planner says so (by status and Retry-After, and for a gRPC call by the grpc-status of a
   * trailers-only answer). A gRPC call's 200 head without grpc-status starts its messages: it cannot
   * be retried any more, and is judged by the status in its trailers ({@link #responseEnded}).
   *
   * @return whether a retry is scheduled
   */
  boolean retriedOnResponse(int status, HttpHeaders headers) {
    timers.cancelAttempt();
    int grpcStatus = grpc ? GrpcStatus.parse(headers.get(ErrorResponses.GRPC_STATUS)) : GrpcStatus.NONE;
    if (grpc && status == 200 && grpcStatus == GrpcStatus.NONE) {
      awaitingTrailers = true;
      return false;
    }
    AttemptOutcome outcome = AttemptOutcome.grpc(status, grpcStatus);
    judge(AttemptFailure.label(status, grpcStatus), outcome);
    return retryIfPlanned(outcome, headers);
  }

  /**
   * The response ended. A gRPC call whose head had no status is judged now by its trailers' status,
   * as a failure if it is in the breaker's failOn, though it could not be retried.
   *
   * @param grpcStatus the status in the trailers, or {@link GrpcStatus#NONE} when they had none
   */
  void responseEnded(int grpcStatus) {
    if (awaitingTrailers) {
      judge(AttemptFailure.label(200, grpcStatus), AttemptOutcome.grpc(200, grpcStatus));
    }
  }

  /** The current attempt's head arrived and is passed on whatever it says (an upgrade's answer). */
  void answered(int status) {
    timers.cancelAttempt();
    judge(AttemptFailure.statusClass(status), AttemptOutcome.status(status));
  }

  /** The exchange's deadline passed: an attempt still waiting for its answer counts as timed out. */
  void deadlinePassed(boolean responseStarted) {
    if (held.attemptHeld() && (!responseStarted || awaitingTrailers)) {
      judge(AttemptFailure.TIMEOUT.outcome, AttemptOutcome.timeout());
    }
    abort();
  }

  /** Gives up the current attempt; its stream is closed, its state being unknown. */
  void abort() {
    timers.cancelAttempt();
    held.releaseAttempt(false);
  }

  private void judge(String label, AttemptOutcome outcome) {
    awaitingTrailers = false;
    listener.observer().onAttemptEnded(upstream.name(), endpoint.key(), label);
    held.ledger().record(outcome, endpoint);
  }

  /** @param response the upstream's response head (for its Retry-After), or null */
  private boolean retryIfPlanned(AttemptOutcome outcome, HttpHeaders response) {
    RetryPlanner.Decision d = retries.decide(attempts, outcome, requestWriter.bytesIn(), response);
    if (d == null || !d.retry()) {
      return false;
    }
    abort();
    exchange.moveTo(ExchangeState.RETRY_PENDING);
    listener.observer().onRetry(upstream.name(), outcome.reason());
    timers.scheduleRetry(d.delayNanos(), this::next);
    return true;
  }
}
