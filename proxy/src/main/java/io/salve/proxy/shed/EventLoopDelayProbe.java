package io.salve.proxy.shed;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.salve.proxy.util.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures how late scheduled tasks run on Netty event loops, for the {@code eventLoopDelay}
 * signal: a loop that is busy or blocked runs everything late, requests included.
 *
 * <p>{@link #start()} schedules on each loop a task {@code period} ahead; when it runs it records
 * {@code actualStart - expectedStart} and schedules the next one. The probe itself is one short task
 * per loop per period. {@link #maxDelayNanosAndReset()} also counts a probe task that is overdue but
 * has not run yet, so a loop that is stuck entirely is reported rather than silent.
 *
 * <p>The ticker must share the loops' time base (the system monotonic clock in production).
 */
public final class EventLoopDelayProbe {
  private static final int NEW = 0;
  private static final int RUNNING = 1;
  private static final int STOPPED = 2;
  private static final long NONE = Long.MIN_VALUE;

  private final List<LoopProbe> probes = new ArrayList<>();
  private final long periodNanos;
  private final Ticker ticker;
  private final AtomicInteger lifecycle = new AtomicInteger(NEW);
  private final AtomicLong maxDelayNanos = new AtomicLong();

  /**
   * @param loops the event loops to probe
   * @param period how often each loop is probed; must be positive
   * @param ticker the clock, sharing the loops' time base
   */
  public EventLoopDelayProbe(Iterable<? extends EventExecutor> loops, Duration period, Ticker ticker) {
    Objects.requireNonNull(loops, "loops");
    Objects.requireNonNull(period, "period");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("period must be positive: " + period);
    }
    this.periodNanos = Signal.saturatedNanos(period);
    for (EventExecutor loop : loops) {
      probes.add(new LoopProbe(Objects.requireNonNull(loop, "loop")));
    }
  }

  /** Starts probing every loop; later calls, and calls after {@link #stop()}, do nothing. */
  public void start() {
    if (lifecycle.compareAndSet(NEW, RUNNING)) {
      for (LoopProbe probe : probes) {
        probe.scheduleNext();
      }
    }
  }

  /** Stops probing and cancels pending probe tasks; a stopped probe cannot be restarted. */
  public void stop() {
    if (lifecycle.getAndSet(STOPPED) == RUNNING) {
      for (LoopProbe probe : probes) {
        probe.cancel();
      }
    }
  }

  /** @return whether {@link #start()} was called and {@link #stop()} not yet */
  public boolean running() {
    return lifecycle.get() == RUNNING;
  }

  /**
   * @return the worst lag in nanos seen on any loop since the last call, including probes overdue
   *     now; 0 when none was late or the probe is not running
   */
  public long maxDelayNanosAndReset() {
    long worst = maxDelayNanos.getAndSet(0);
    if (running()) {
      long now = ticker.nanos();
      for (LoopProbe probe : probes) {
        long expected = probe.expectedNanos;
        // A loop shutting down may never run its pending probe; that is not lag.
        if (expected != NONE && !probe.loop.isShuttingDown()) {
          worst = Math.max(worst, now - expected);
        }
      }
    }
    return Math.max(0, worst);
  }

  private void record(long delayNanos) {
    maxDelayNanos.accumulateAndGet(delayNanos, Math::max);
  }

  /** The probe task of one loop; it only ever runs on that loop. */
  private final class LoopProbe implements Runnable {
    private final EventExecutor loop;
    // When the pending probe task should start; NONE while no task is pending.
    private volatile long expectedNanos = NONE;
    private volatile ScheduledFuture<?> pending;

    LoopProbe(EventExecutor loop) {
      this.loop = loop;
    }

    @Override
    public void run() {
      long expected = expectedNanos;
      expectedNanos = NONE;
      if (!running()) {
        return;
      }
      if (expected != NONE) {
        record(Math.max(0, ticker.nanos() - expected));
      }
      scheduleNext();
    }

    void scheduleNext() {
      expectedNanos = ticker.nanos() + periodNanos;
      try {
        pending = loop.schedule(this, periodNanos, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException shuttingDown) {
        expectedNanos = NONE;
        return;
      }
      // stop() may have run between the running() check and the assignment above.
      if (!running()) {
        cancel();
      }
    }

    void cancel() {
      expectedNanos = NONE;
      ScheduledFuture<?> f = pending;
      if (f != null) {
        f.cancel(false);
      }
    }
  }
}
