package io.salve.proxy.shed;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the load evaluation every interval on its own daemon thread, {@code salve-load-monitor}, so
 * neither a busy event loop delays it nor it an event loop; it also owns the event-loop delay probe's
 * lifecycle. One evaluation reads a few counters and two MXBeans: cheap.
 */
final class LoadMonitor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LoadMonitor.class);

  private final long intervalNanos;
  private final EventLoopDelayProbe loopDelay;
  private ScheduledExecutorService scheduler;
  private boolean failing;
  private boolean closed;

  /**
   * @param interval time between evaluations; must be positive
   * @param loopDelay started and stopped with the monitor, or null
   */
  LoadMonitor(Duration interval, EventLoopDelayProbe loopDelay) {
    Objects.requireNonNull(interval, "interval");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive: " + interval);
    }
    this.intervalNanos = Signal.saturatedNanos(interval);
    this.loopDelay = loopDelay;
  }

  /** Starts evaluating with {@code evaluation}; a second call does nothing. */
  synchronized void start(Runnable evaluation) {
    Objects.requireNonNull(evaluation, "evaluation");
    if (scheduler != null || closed) {
      return;
    }
    scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "salve-load-monitor");
              t.setDaemon(true);
              return t;
            });
    if (loopDelay != null) {
      loopDelay.start();
    }
    scheduler.scheduleWithFixedDelay(
        () -> runGuarded(evaluation), intervalNanos, intervalNanos, TimeUnit.NANOSECONDS);
  }

  /** A throwing task would silently never run again: log the first failure of a streak, go on. */
  private void runGuarded(Runnable evaluation) {
    try {
      evaluation.run();
      if (failing) {
        failing = false;
        LOG.info("load evaluation works again");
      }
    } catch (RuntimeException e) {
      if (!failing) {
        failing = true;
        LOG.warn("load evaluation failed, keeping the last load state: {}", e.toString());
      }
    }
  }

  /** Stops evaluating and probing; the monitor cannot be restarted. */
  @Override
  public synchronized void close() {
    closed = true;
    if (loopDelay != null) {
      loopDelay.stop();
    }
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }
}
