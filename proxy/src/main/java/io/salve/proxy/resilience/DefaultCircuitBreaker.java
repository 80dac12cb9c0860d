package io.salve.proxy.resilience;

import io.salve.config.CircuitBreakerConfig;
import io.salve.config.FailureRateConfig;
import io.salve.proxy.util.Ticker;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A breaker whose whole state is one immutable snapshot swapped by compare-and-set. Every
 * transition bumps the snapshot's generation, which is also the permit handed out, so outcomes
 * from an earlier generation can be recognised and dropped.
 */
final class DefaultCircuitBreaker implements CircuitBreaker {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultCircuitBreaker.class);
  private static final int RATE_BUCKETS = 10;

  private final String upstream;
  private final Ticker ticker;
  private final int failureThreshold;
  private final int successThreshold;
  private final long openNanos;
  private final int halfOpenMaxRequests;
  private final FailureRateConfig failureRate;
  private final AtomicReference<Snapshot> state;
  private final List<CircuitBreakerListener> listeners = new CopyOnWriteArrayList<>();

  /**
   * @param failures consecutive failures, whatever the state; reset by a success or by closing
   * @param successes consecutive successful trials while half-open
   * @param trials half-open trials in flight
   * @param openedAt ticker time the breaker opened (meaningful when open)
   * @param rate the failure-rate window of this closed period, or null when not configured
   */
  private record Snapshot(
      CircuitState state,
      long generation,
      int failures,
      int successes,
      int trials,
      long openedAt,
      RateWindow rate) {}

  DefaultCircuitBreaker(String upstream, CircuitBreakerConfig config, Ticker ticker) {
    this.upstream = Objects.requireNonNull(upstream, "upstream");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.failureThreshold = Math.max(1, config.failureThreshold());
    this.successThreshold = Math.max(1, config.successThreshold());
    this.openNanos = Durations.toNanos(config.openDuration());
    // Zero trials would leave a half-open breaker stuck forever.
    this.halfOpenMaxRequests = Math.max(1, config.halfOpenMaxRequests());
    this.failureRate = config.failureRate();
    this.state = new AtomicReference<>(closed(0));
  }

  @Override
  public long tryAcquirePermit() {
    while (true) {
      Snapshot s = state.get();
      switch (s.state) {
        case CLOSED:
          return s.generation;
        case OPEN:
          if (!openElapsed(s)) {
            return NO_PERMIT;
          }
          Snapshot halfOpen = halfOpen(s, 1);
          if (transition(s, halfOpen)) {
            return halfOpen.generation;
          }
          break;
        case HALF_OPEN:
          if (s.trials >= halfOpenMaxRequests) {
            return NO_PERMIT;
          }
          if (state.compareAndSet(s, withCounts(s, s.failures, s.successes, s.trials + 1))) {
            return s.generation;
          }
          break;
        default:
          throw new AssertionError(s.state);
      }
    }
  }

  @Override
  public void onSuccess(long permit) {
    Snapshot s = state.get();
    long generation = s.generation;
    if (isStale(s, permit) || s.state == CircuitState.OPEN) {
      return;
    }
    if (s.state == CircuitState.CLOSED && s.rate != null) {
      s.rate.record(false);
    }
    while (s.generation == generation) {
      Snapshot next;
      if (s.state == CircuitState.CLOSED) {
        if (s.failures == 0) {
          return;
        }
        next = withCounts(s, 0, 0, 0);
      } else {
        if (s.trials == 0) {
          return; // no trial is out, so this attempt began before the breaker went half-open
        }
        int successes = s.successes + 1;
        next =
            successes >= successThreshold
                ? closed(generation + 1)
                : withCounts(s, 0, successes, s.trials - 1);
      }
      if (transition(s, next)) {
        return;
      }
      s = state.get();
    }
  }

  @Override
  public void onFailure(long permit) {
    Snapshot s = state.get();
    long generation = s.generation;
    if (isStale(s, permit) || s.state == CircuitState.OPEN) {
      return;
    }
    boolean rateTripped =
        s.state == CircuitState.CLOSED && s.rate != null && s.rate.record(true);
    while (s.generation == generation) {
      int failures = s.failures == Integer.MAX_VALUE ? s.failures : s.failures + 1;
      Snapshot next;
      if (s.state == CircuitState.CLOSED) {
        next =
            failures >= failureThreshold || rateTripped
                ? open(s, failures)
                : withCounts(s, failures, 0, 0);
      } else {
        if (s.trials == 0) {
          return; // no trial is out, so this attempt began before the breaker went half-open
        }
        next = open(s, failures);
      }
      if (transition(s, next)) {
        return;
      }
      s = state.get();
    }
  }

  @Override
  public void releasePermission(long permit) {
    Snapshot s = state.get();
    long generation = s.generation;
    if (isStale(s, permit)) {
      return;
    }
    while (s.generation == generation && s.state == CircuitState.HALF_OPEN && s.trials > 0) {
      if (state.compareAndSet(s, withCounts(s, s.failures, s.successes, s.trials - 1))) {
        return;
      }
      s = state.get();
    }
  }

  @Override
  public CircuitState state() {
    while (true) {
      Snapshot s = state.get();
      if (s.state != CircuitState.OPEN || !openElapsed(s)) {
        return s.state;
      }
      if (transition(s, halfOpen(s, 0))) {
        return CircuitState.HALF_OPEN;
      }
    }
  }

  @Override
  public long remainingOpenNanos() {
    Snapshot s = state.get();
    if (s.state != CircuitState.OPEN) {
      return 0;
    }
    return Math.max(0, openNanos - (ticker.nanos() - s.openedAt));
  }

  @Override
  public void addListener(CircuitBreakerListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  @Override
  public Map<String, Object> describe() {
    CircuitState current = state();
    Snapshot s = state.get();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("state", current.key());
    out.put("consecutiveFailures", s.failures);
    out.put("remainingOpenMillis", Durations.ceilMillis(remainingOpenNanos()));
    if (s.rate != null) {
      out.put("failureRate", s.rate.rate());
    }
    return Collections.unmodifiableMap(out);
  }

  @Override
  public String toString() {
    return "CircuitBreaker[" + upstream + ", " + state.get().state.key() + "]";
  }

  private boolean isStale(Snapshot s, long permit) {
    return permit != NO_PERMIT && permit != s.generation;
  }

  private boolean openElapsed(Snapshot s) {
    return ticker.nanos() - s.openedAt >= openNanos;
  }

  private Snapshot closed(long generation) {
    RateWindow rate = failureRate == null ? null : new RateWindow(failureRate, ticker);
    return new Snapshot(CircuitState.CLOSED, generation, 0, 0, 0, 0, rate);
  }

  private Snapshot open(Snapshot from, int failures) {
    // The closed period's window is kept so describe() still shows the rate that opened it.
    return new Snapshot(
        CircuitState.OPEN, from.generation + 1, failures, 0, 0, ticker.nanos(), from.rate);
  }

  private static Snapshot halfOpen(Snapshot from, int trials) {
    return new Snapshot(
        CircuitState.HALF_OPEN, from.generation + 1, from.failures, 0, trials, 0, from.rate);
  }

  private static Snapshot withCounts(Snapshot s, int failures, int successes, int trials) {
    return new Snapshot(s.state, s.generation, failures, successes, trials, s.openedAt, s.rate);
  }

  /** Installs {@code next} if the state is still {@code expected}, notifying on a state change. */
  private boolean transition(Snapshot expected, Snapshot next) {
    if (!state.compareAndSet(expected, next)) {
      return false;
    }
    if (expected.state != next.state) {
      for (CircuitBreakerListener listener : listeners) {
        try {
          listener.onStateTransition(upstream, expected.state, next.state);
        } catch (RuntimeException e) {
          // A broken observer must not break the request that happened to make the transition.
          LOG.warn("circuit breaker listener failed for upstream {}", upstream, e);
        }
      }
    }
    return true;
  }

  /** Outcomes of one closed period over the sliding failure-rate window. */
  private static final class RateWindow {
    private final SlidingWindowCounter outcomes;
    private final SlidingWindowCounter failures;
    private final double threshold;
    private final int minimumRequests;

    RateWindow(FailureRateConfig config, Ticker ticker) {
      long windowNanos = Durations.toNanos(config.window());
      this.outcomes = new SlidingWindowCounter(ticker, windowNanos, RATE_BUCKETS);
      this.failures = new SlidingWindowCounter(ticker, windowNanos, RATE_BUCKETS);
      this.threshold = config.threshold();
      this.minimumRequests = Math.max(1, config.minimumRequests());
    }

    /**
     * Records one outcome.
     *
     * @return whether, after a failure, the window's failure rate now opens the breaker; a success
     *     never does, the next failure re-evaluates
     */
    boolean record(boolean failure) {
      outcomes.add(1);
      if (!failure) {
        return false;
      }
      failures.add(1);
      long total = outcomes.sum();
      return total >= minimumRequests && failures.sum() >= threshold * total;
    }

    double rate() {
      long total = outcomes.sum();
      return total == 0 ? 0.0 : Math.min(1.0, (double) failures.sum() / total);
    }
  }
}
