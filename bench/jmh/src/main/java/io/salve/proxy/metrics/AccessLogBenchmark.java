package io.salve.proxy.metrics;

import io.salve.proxy.forward.ExchangeRecord;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The access log before and after issue 18, per record. {@code format*}: what the writer thread does
 * per line (format and encode into its buffer; the stream discards). {@code log*}: the whole path, an
 * event loop's {@code onRequestEnded} plus the real writer thread, with {@code work} tokens of
 * {@link Blackhole#consumeCPU} between records standing in for forwarding a request (so the writer
 * keeps up and parks, as in a proxy, instead of the queue overflowing). Run with {@code -prof gc}: its
 * bytes per op count every thread, the writer's included.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AccessLogBenchmark {
  private final ExchangeRecord[] records = AccessLogRecords.make(4096);
  private int next;

  private final Writer legacyWriter =
      new BufferedWriter(new OutputStreamWriter(OutputStream.nullOutputStream(), StandardCharsets.UTF_8), 64 * 1024);
  private final AccessLogFormat format = new AccessLogFormat();
  private final byte[] buffer = new byte[64 * 1024];
  private int buffered;

  @Param({"2000"})
  public int work;

  private LegacyAccessLog legacyLog;
  private AccessLog log;

  @Setup(Level.Trial)
  public void start() {
    legacyLog = new LegacyAccessLog(OutputStream.nullOutputStream());
    log = new AccessLog(OutputStream.nullOutputStream());
  }

  @TearDown(Level.Trial)
  public void stop() {
    legacyLog.close();
    log.close();
    if (legacyLog.dropped() + log.dropped() > 0) {
      throw new IllegalStateException("dropped records: legacy " + legacyLog.dropped() + ", new " + log.dropped());
    }
  }

  private ExchangeRecord nextRecord() {
    ExchangeRecord r = records[next];
    next = (next + 1) & (records.length - 1);
    return r;
  }

  @Benchmark
  public void formatLegacy() throws IOException {
    legacyWriter.write(LegacyAccessLog.format(nextRecord()));
  }

  @Benchmark
  public int formatBytes() {
    ExchangeRecord r = nextRecord();
    if (AccessLogFormat.maxLength(r) > buffer.length - buffered) {
      buffered = 0; // "written"
    }
    buffered = format.write(r, buffer, buffered);
    return buffered;
  }

  @Benchmark
  public void logLegacy() {
    Blackhole.consumeCPU(work);
    legacyLog.onRequestEnded(nextRecord());
  }

  @Benchmark
  public void logBatched() {
    Blackhole.consumeCPU(work);
    log.onRequestEnded(nextRecord());
  }

  @Benchmark
  public void workOnly() {
    Blackhole.consumeCPU(work);
    nextRecord();
  }
}
