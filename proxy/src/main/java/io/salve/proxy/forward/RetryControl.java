package io.salve.proxy.forward;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import io.salve.proxy.resilience.AttemptOutcome;
import io.salve.proxy.resilience.RetryPlanner;
import io.salve.proxy.resilience.RetryPolicy;
import io.salve.proxy.route.Route;
import io.salve.proxy.upstream.Upstream;
import java.time.Duration;

/**
 * One exchange's retry state: the policy in force (the route's, else the upstream's), the body kept
 * for replay, and the planner, made only on a first failure since most requests never need one.
 */
final class RetryControl {
  private static final AsciiString IDEMPOTENCY_KEY = AsciiString.cached("idempotency-key");
  private static final RetryPlanner.Decision MAX_ATTEMPTS = new RetryPlanner.Decision(RetryPlanner.Verdict.MAX_ATTEMPTS, 0);
  private static final RetryPlanner.Decision NOT_RETRYABLE = new RetryPlanner.Decision(RetryPlanner.Verdict.NOT_RETRYABLE, 0);

  private final Route route;
  private final Upstream upstream;
  private final RequestFacts facts;
  private final ListenerContext listener;
  private final RetryPolicy policy;
  private final boolean hasIdempotencyKey;
  private final ReplayBuffer replay;
  private RetryPlanner planner;

  RetryControl(Route route, Upstream upstream, HttpRequest request, RequestFacts facts, ListenerContext listener) {
    this.route = route;
    this.upstream = upstream;
    this.facts = facts;
    this.listener = listener;
    this.policy = route.retryPolicy() != null ? route.retryPolicy() : upstream.retryPolicy();
    this.hasIdempotencyKey = request.headers().contains(IDEMPOTENCY_KEY);
    boolean mayReplay = policy.maxAttempts() > 1 && policy.allowsReplay(facts.method(), hasIdempotencyKey);
    this.replay = mayReplay ? new ReplayBuffer(policy.maxBufferedBody()) : null;
  }

  /** @return the buffer keeping the body for a replay, or null when no replay can happen. */
  ReplayBuffer replay() {
    return replay;
  }

  /** @return the per-attempt timeout, or null. */
  Duration perTryTimeout() {
    return policy.perTryTimeout();
  }

  /**
   * @param attempts attempts made, the failed one included
   * @param bytesIn request body bytes received so far
   * @param response the upstream's response head (for its Retry-After), or null
   */
  RetryPlanner.Decision decide(int attempts, AttemptOutcome outcome, long bytesIn, HttpHeaders response) {
    // Most attempts end in a response that is not to be retried: answer that without a planner.
    if (attempts >= policy.maxAttempts()) {
      return MAX_ATTEMPTS;
    }
    if (!policy.isRetryable(outcome, facts.method(), hasIdempotencyKey)) {
      return NOT_RETRYABLE;
    }
    String retryAfter = response == null ? null : response.get(HttpHeaderNames.RETRY_AFTER);
    boolean replayable = bytesIn == 0 || (replay != null && replay.replayable());
    RetryPlanner.Decision d = planner().next(attempts, outcome, replayable, retryAfter);
    if (d.verdict() == RetryPlanner.Verdict.BUDGET_EXHAUSTED) {
      listener.observer().onRetryBudgetExhausted(upstream.name());
    }
    return d;
  }

  private RetryPlanner planner() {
    if (planner == null) {
      long timeout = facts.deadlineNanos(route.config().timeout());
      planner =
          new RetryPlanner(
              policy,
              upstream.retryBudget(),
              upstream.breaker(),
              listener.ticker(),
              listener.random().current(),
              listener.clock()::instant,
              facts.method(),
              hasIdempotencyKey,
              facts.startNanos(),
              timeout < 0 ? Long.MAX_VALUE : facts.startNanos() + timeout);
    }
    return planner;
  }
}
