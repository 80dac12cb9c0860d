package io.salve.proxy.forward;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * An exchange's two timers on its event loop: the route's overall deadline, and one attempt timer
 * that is either the current attempt's per-try timeout or the delay before the next attempt (never
 * both, since a retry is scheduled only once its attempt has ended).
 */
final class ExchangeTimers {
  private final EventExecutor loop;
  private ScheduledFuture<?> deadline;
  private ScheduledFuture<?> attempt;

  ExchangeTimers(EventExecutor loop) {
    this.loop = loop;
  }

  /** @param timeout the route's timeout, or null for none */
  void startDeadline(Duration timeout, Runnable expired) {
    if (timeout != null) {
      deadline = loop.schedule(() -> {
        deadline = null;
        expired.run();
      }, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  /** @param perTry the per-try timeout, or null for none */
  void startAttempt(Duration perTry, Runnable expired) {
    attempt = null; // the retry timer that started this attempt has fired
    if (perTry != null) {
      attempt = loop.schedule(expired, perTry.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  void scheduleRetry(long delayNanos, Runnable next) {
    cancelAttempt();
    attempt = loop.schedule(next, delayNanos, TimeUnit.NANOSECONDS);
  }

  void cancelAttempt() {
    if (attempt != null) {
      attempt.cancel(false);
      attempt = null;
    }
  }

  void cancelAll() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
    cancelAttempt();
  }
}
