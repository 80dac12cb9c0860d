package io.salve.proxy.metrics;

import io.netty.util.internal.PlatformDependent;
import io.salve.proxy.forward.ExchangeObserver;
import io.salve.proxy.forward.ExchangeRecord;
import io.salve.proxy.util.JsonText;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The access log as it was before issue 18, kept verbatim for {@code AccessLogBenchmark} and
 * {@code AccessLogWakeups} to compare against. One JSON line per request, written by a background
 * thread so event loops never touch the output stream. Records go through a lock-free bounded queue; when it is full the record is dropped and
 * counted rather than slowing the proxy.
 */
public final class LegacyAccessLog implements ExchangeObserver, AutoCloseable {
  private static final int CAPACITY = 65536;

  private final Queue<ExchangeRecord> queue = PlatformDependent.newFixedMpscQueue(CAPACITY);
  private final AtomicInteger size = new AtomicInteger();
  private final LongAdder dropped = new LongAdder();
  private final Writer out;
  private final Thread writer;
  private volatile boolean running = true;

  public LegacyAccessLog(OutputStream stream) {
    this.out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 64 * 1024);
    this.writer = new Thread(this::drainLoop, "salve-access-log");
    writer.setDaemon(true);
    writer.start();
  }

  /** @return records dropped because the queue was full. */
  public long dropped() {
    return dropped.sum();
  }

  @Override
  public void onRequestStarted(String listener) {}

  @Override
  public void onAttemptEnded(String upstream, String endpoint, String outcome) {}

  @Override
  public void onRequestEnded(ExchangeRecord r) {
    if (queue.offer(r)) {
      if (size.getAndIncrement() == 0) {
        LockSupport.unpark(writer);
      }
    } else {
      dropped.increment();
    }
  }

  private void drainLoop() {
    while (running || !queue.isEmpty()) {
      ExchangeRecord r = queue.poll();
      if (r == null) {
        flush();
        if (size.get() == 0) {
          LockSupport.parkNanos(this, 50_000_000L);
        }
        continue;
      }
      size.decrementAndGet();
      try {
        out.write(format(r));
      } catch (IOException e) {
        dropped.increment();
      }
    }
    flush();
  }

  private void flush() {
    try {
      out.flush();
    } catch (IOException ignored) {
      // stdout is gone; nothing useful left to do with the log
    }
  }

  static String format(ExchangeRecord r) {
    StringBuilder sb = new StringBuilder(320);
    sb.append("{\"timestamp\":\"").append(Instant.ofEpochMilli(r.epochMillis())).append('"');
    str(sb, "requestId", r.requestId());
    str(sb, "client", r.client());
    str(sb, "method", r.method());
    str(sb, "path", r.path());
    str(sb, "listener", r.listener());
    str(sb, "route", r.route());
    str(sb, "upstream", r.upstream());
    str(sb, "endpoint", r.endpoint());
    sb.append(",\"status\":").append(r.status());
    sb.append(",\"durationMs\":").append(r.durationNanos() / 1_000_000.0);
    sb.append(",\"bytesIn\":").append(r.bytesIn());
    sb.append(",\"bytesOut\":").append(r.bytesOut());
    sb.append(",\"attempts\":").append(r.attempts());
    str(sb, "error", r.error());
    return sb.append("}\n").toString();
  }

  private static void str(StringBuilder sb, String key, String value) {
    sb.append(",\"").append(key).append("\":");
    if (value == null) {
      sb.append("null");
      return;
    }
    JsonText.appendString(sb, value);
  }

  @Override
  public void close() {
    running = false;
    LockSupport.unpark(writer);
    try {
      writer.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
