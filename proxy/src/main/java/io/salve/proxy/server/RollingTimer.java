package io.salve.proxy.server;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A deadline that moves on every request or read without scheduling anything: one task per owner is
 * scheduled lazily and, when it fires early because the deadline moved on, re-schedules itself for
 * the remainder. Re-arming costs a clock read instead of a schedule and a cancel, and no promise or
 * listener is allocated per write (as {@code IdleStateHandler} does). Use from the owner's event loop
 * only.
 */
public final class RollingTimer {
  private final EventExecutor executor;
  private final Runnable onExpiry;
  private long deadline;
  private boolean armed;
  private ScheduledFuture<?> task;
  private long taskAt;

  public RollingTimer(EventExecutor executor, Runnable onExpiry) {
    this.executor = executor;
    this.onExpiry = onExpiry;
  }

  /** Sets the deadline to {@code timeoutNanos} from now, replacing any earlier one. */
  public void arm(long timeoutNanos) {
    deadline = System.nanoTime() + timeoutNanos;
    armed = true;
    if (task == null) {
      schedule(timeoutNanos);
    } else if (deadline - taskAt < 0) {
      task.cancel(false);
      schedule(timeoutNanos);
    }
  }

  /** Removes the deadline; a pending task fires once more and finds nothing to do. */
  public void disarm() {
    armed = false;
  }

  /** Removes the deadline and the pending task (when the owner goes away). */
  public void stop() {
    armed = false;
    if (task != null) {
      task.cancel(false);
      task = null;
    }
  }

  private void schedule(long delayNanos) {
    taskAt = System.nanoTime() + delayNanos;
    task = executor.schedule(this::fire, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void fire() {
    task = null;
    if (!armed) {
      return;
    }
    long remaining = deadline - System.nanoTime();
    if (remaining > 0) {
      schedule(remaining);
      return;
    }
    armed = false;
    onExpiry.run();
  }
}
