package io.salve.proxy.coord;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * At most one pending retry of one task on the coordination executor, each delayed by a {@link
 * ReconnectBackoff} (250ms doubling to 5s) until {@link #succeeded()} resets it. Asking for a retry
 * while one is pending does nothing, so the many ways a watch can fail cost one retry, not several.
 *
 * <p>Owned by the coordination thread, like the task it runs.
 */
final class RetryTimer {
  private final ScheduledExecutorService executor;
  private final Runnable task;
  private final ReconnectBackoff backoff = new ReconnectBackoff();
  private ScheduledFuture<?> pending;

  RetryTimer(ScheduledExecutorService executor, Runnable task) {
    this.executor = executor;
    this.task = task;
  }

  /** Runs the task after the next backoff delay, unless a retry is already pending. */
  void schedule() {
    if (pending != null) {
      return;
    }
    Duration delay = backoff.afterFailure();
    pending =
        executor.schedule(
            () -> {
              pending = null;
              task.run();
            },
            delay.toMillis(),
            TimeUnit.MILLISECONDS);
  }

  /** The task worked: the next failure waits the shortest delay again. */
  void succeeded() {
    backoff.afterSuccess();
  }

  /** Forgets the pending retry, if any. */
  void cancel() {
    if (pending != null) {
      pending.cancel(false);
      pending = null;
    }
  }
}
