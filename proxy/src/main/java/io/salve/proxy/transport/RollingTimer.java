package io.salve.proxy.transport;

import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import java.util.concurrent.TimeUnit;

/**
 * A deadline that moves on every request or read without scheduling anything: one task per owner is
 * scheduled lazily and, when it fires early because the deadline moved on, re-schedules itself for
 * the remainder. Re-arming costs a clock read instead of a schedule and a cancel, and no promise or
 * listener is allocated per write (as {@code IdleStateHandler} does). Use from the owner's event loop
 * only.
 *
 * <p>An owner that alternates a long and a short deadline (a connection's idle timeout, then its
 * request-head deadline) gives the short one as {@code maxStepNanos}: the task is then never
 * scheduled further ahead than that, so arming the short deadline never finds the task too late and
 * has nothing to cancel. A long wait costs a few early wake-ups instead.
 *
 * <p>On a {@link ClockedEventLoop} the deadlines are taken from the loop's once-per-pass clock, so one
 * may expire early by as long as a pass of the loop takes (microseconds; at most a second of tasks
 * under overload), which no idle or head timeout notices.
 */
public final class RollingTimer {
  private final EventExecutor executor;
  private final Ticker ticker;
  private final Runnable onExpiry;
  private long deadline;
  private boolean armed;
  private ScheduledFuture<?> task;
  private long taskAt;
  private final long maxStepNanos;

  public RollingTimer(EventExecutor executor, Runnable onExpiry) {
    this(executor, onExpiry, Long.MAX_VALUE);
  }

  /** @param maxStepNanos how far ahead the task is scheduled at most */
  public RollingTimer(EventExecutor executor, Runnable onExpiry, long maxStepNanos) {
    this.executor = executor;
    // The loop's once-per-pass clock: a deadline of seconds does not need a clock read per move. Else
    // the executor's own clock, so that a test's embedded loop can move time for both.
    if (executor instanceof ClockedEventLoop) {
      this.ticker = ((ClockedEventLoop) executor).passTicker();
    } else if (executor instanceof AbstractScheduledEventExecutor) {
      this.ticker = ((AbstractScheduledEventExecutor) executor).ticker();
    } else {
      this.ticker = Ticker.systemTicker();
    }
    this.onExpiry = onExpiry;
    this.maxStepNanos = maxStepNanos;
  }

  /** Sets the deadline to {@code timeoutNanos} from now, replacing any earlier one. */
  public void arm(long timeoutNanos) {
    deadline = ticker.nanoTime() + timeoutNanos;
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
    delayNanos = Math.min(delayNanos, maxStepNanos);
    taskAt = ticker.nanoTime() + delayNanos;
    task = executor.schedule(this::fire, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void fire() {
    task = null;
    if (!armed) {
      return;
    }
    long remaining = deadline - ticker.nanoTime();
    if (remaining > 0) {
      schedule(remaining);
      return;
    }
    armed = false;
    onExpiry.run();
  }
}
