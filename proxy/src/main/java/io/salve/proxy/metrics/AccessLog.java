package io.salve.proxy.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.internal.PlatformDependent;
import io.salve.proxy.forward.ExchangeObserver;
import io.salve.proxy.forward.ExchangeRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * One JSON line per request, formatted and written by a background thread so event loops never touch
 * the output stream. Records go through a lock-free bounded queue; when it is full the record is
 * dropped and counted rather than slowing the proxy.
 *
 * <p>Event loops do not wake the writer per line. While requests flow, the writer wakes on its own every
 * {@code batchInterval} (2 ms), formats everything queued since into one large byte buffer
 * ({@link AccessLogFormat}) and hands it to the stream in one write. After {@code idleTicks} empty
 * rounds it parks for longer and sets a flag; only then does the next record's event loop unpark it.
 * So a busy proxy pays no wake-up per request (one volatile read instead), and an idle one does not
 * spin. See docs/tuning.md, "Access log".
 *
 * <p>{@link #close()} writes every queued line and flushes the stream; call it after the event loops
 * have stopped.
 */
public final class AccessLog implements ExchangeObserver, AutoCloseable {
  private static final int CAPACITY = 65536;
  private static final int BUFFER_BYTES = 64 * 1024;
  private static final long BATCH_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
  private static final int IDLE_TICKS = 50;
  private static final long IDLE_PARK_NANOS = TimeUnit.SECONDS.toNanos(1);

  private static final VarHandle SLEEPING;

  static {
    try {
      SLEEPING = MethodHandles.lookup().findVarHandle(AccessLog.class, "sleeping", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Queue<ExchangeRecord> queue;
  private final LongAdder dropped = new LongAdder();
  private final LongAdder wakeups = new LongAdder();
  private final OutputStream out;
  private final long batchIntervalNanos;
  private final int idleTicks;
  private final long idleParkNanos;
  private final Thread writer;
  private final AccessLogFormat format = new AccessLogFormat();
  private final byte[] buffer = new byte[BUFFER_BYTES];
  private int buffered;
  private int bufferedLines;
  private volatile boolean running = true;

  /** Read by event loops per record; true only while the writer is in its long idle park. */
  private volatile boolean sleeping = true;

  public AccessLog(OutputStream stream) {
    this(stream, CAPACITY, BATCH_INTERVAL_NANOS, IDLE_TICKS, IDLE_PARK_NANOS);
  }

  AccessLog(OutputStream stream, int capacity, long batchIntervalNanos, int idleTicks, long idleParkNanos) {
    this.out = stream;
    this.queue = PlatformDependent.newFixedMpscQueue(capacity);
    this.batchIntervalNanos = batchIntervalNanos;
    this.idleTicks = idleTicks;
    this.idleParkNanos = idleParkNanos;
    this.writer = new Thread(this::drainLoop, "salve-access-log");
    writer.setDaemon(true);
    writer.start();
  }

  /** @return records dropped because the queue was full or the stream failed. */
  public long dropped() {
    return dropped.sum();
  }

  /** Exposes {@link #dropped()} as {@code salve_access_log_dropped_total}. */
  public void bindTo(MeterRegistry registry) {
    FunctionCounter.builder("salve.access.log.dropped", this, AccessLog::dropped)
        .description("Access-log lines dropped because the queue was full or stdout failed")
        .register(registry);
  }

  /** @return how often an event loop had to unpark the idle writer (for tests and benchmarks). */
  long wakeups() {
    return wakeups.sum();
  }

  /** @return whether the writer is in (or entering) its long idle park (for tests). */
  boolean idle() {
    return sleeping;
  }

  @Override
  public void onRequestStarted(String listener) {}

  @Override
  public void onAttemptEnded(String upstream, String endpoint, String outcome) {}

  @Override
  public void onRequestEnded(ExchangeRecord r) {
    if (!queue.offer(r)) {
      dropped.increment();
    } else if (sleeping && SLEEPING.compareAndSet(this, true, false)) {
      wakeups.increment();
      LockSupport.unpark(writer);
    }
  }

  private void drainLoop() {
    int emptyRounds = idleTicks; // start asleep: nothing to write yet
    while (true) {
      if (emptyRounds >= idleTicks) {
        sleeping = true;
        // Re-check after publishing the flag: a record offered before it was set found no one to wake.
        if (queue.isEmpty() && running) {
          LockSupport.parkNanos(this, idleParkNanos);
        }
        sleeping = false;
      } else {
        LockSupport.parkNanos(this, batchIntervalNanos);
      }
      boolean stopping = !running;
      emptyRounds = drain() == 0 ? emptyRounds + 1 : 0;
      if (stopping && queue.isEmpty()) {
        break;
      }
    }
    try {
      out.flush();
    } catch (IOException ignored) {
      // the stream is gone; nothing useful left to do with the log
    }
  }

  /** Formats everything queued into the buffer, writing it whenever it fills and once at the end. */
  private int drain() {
    int lines = 0;
    ExchangeRecord r;
    while ((r = queue.poll()) != null) {
      int room = AccessLogFormat.maxLength(r);
      if (room > buffer.length - buffered) {
        writeBuffer();
        // A batch that fills the buffer (a burst, or a writer that fell behind) can be milliseconds of
        // formatting: let the event loops that share the CPU in between buffers.
        Thread.yield();
      }
      if (room > buffer.length) {
        writeAlone(r, room);
      } else {
        buffered = format.write(r, buffer, buffered);
        bufferedLines++;
      }
      lines++;
    }
    writeBuffer();
    return lines;
  }

  /** A line that may not fit the buffer (kilobytes of escaped path or request id): its own array. */
  private void writeAlone(ExchangeRecord r, int room) {
    byte[] line = new byte[room];
    int length = format.write(r, line, 0);
    try {
      out.write(line, 0, length);
    } catch (IOException e) {
      dropped.increment();
    }
  }

  private void writeBuffer() {
    if (buffered == 0) {
      return;
    }
    try {
      out.write(buffer, 0, buffered);
    } catch (IOException e) {
      dropped.add(bufferedLines);
    }
    buffered = 0;
    bufferedLines = 0;
  }

  @Override
  public void close() {
    running = false;
    LockSupport.unpark(writer);
    try {
      writer.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
