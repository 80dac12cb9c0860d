package io.salve.proxy.forward;

import io.salve.config.FailureConditions;
import io.salve.config.GrpcCodes;
import io.salve.proxy.resilience.AttemptOutcome;
import io.salve.proxy.resilience.CircuitBreaker;
import io.salve.proxy.upstream.Endpoint;
import io.salve.proxy.upstream.Upstream;
import java.util.Set;

/**
 * One exchange's dealings with its upstream's circuit breaker and outlier detector: the permit an
 * attempt holds, and the verdict on each attempt's outcome (by the breaker's {@code failOn}).
 */
final class AttemptLedger {
  private static final FailureConditions DEFAULT_FAILURES =
      new FailureConditions(true, true, true, true, Set.of(), GrpcCodes.DEFAULT_FAILURES);

  private final Upstream upstream;
  private final FailureConditions failOn;
  private long permit = CircuitBreaker.NO_PERMIT;

  AttemptLedger(Upstream upstream) {
    this.upstream = upstream;
    this.failOn =
        upstream.config().circuitBreaker() != null ? upstream.config().circuitBreaker().failOn() : DEFAULT_FAILURES;
  }

  /** @return whether the circuit lets the next attempt through (it then holds a permit). */
  boolean admit() {
    CircuitBreaker breaker = upstream.breaker();
    if (breaker == null) {
      return true;
    }
    permit = breaker.tryAcquirePermit();
    return permit != CircuitBreaker.NO_PERMIT;
  }

  /** @return whole seconds until an open circuit admits a trial, at least 1 (for Retry-After). */
  long openSeconds() {
    return Math.max(1, (upstream.breaker().remainingOpenNanos() + 999_999_999L) / 1_000_000_000L);
  }

  /** Tells the breaker (once per permit) and the outlier detector how an attempt ended. */
  void record(AttemptOutcome outcome, Endpoint endpoint) {
    if (outcome == null || endpoint == null) {
      return;
    }
    boolean failed = outcome.isFailure(failOn);
    CircuitBreaker breaker = upstream.breaker();
    if (breaker != null && permit != CircuitBreaker.NO_PERMIT) {
      if (failed) {
        breaker.onFailure(permit);
      } else {
        breaker.onSuccess(permit);
      }
      permit = CircuitBreaker.NO_PERMIT;
    }
    if (upstream.outliers() != null) {
      if (failed) {
        upstream.outliers().onFailure(endpoint.key());
      } else {
        upstream.outliers().onSuccess(endpoint.key());
      }
    }
  }

  /** Returns an unused permit: the attempt ended without an outcome to judge. */
  void release() {
    if (permit != CircuitBreaker.NO_PERMIT) {
      upstream.breaker().releasePermission(permit);
      permit = CircuitBreaker.NO_PERMIT;
    }
  }
}
