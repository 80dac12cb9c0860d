package io.salve.proxy.metrics;

import io.salve.proxy.forward.ExchangeObserver;
import io.salve.proxy.forward.ExchangeRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * Counts what the access log's writer thread costs while records arrive at a steady rate, as from a
 * proxy's event loops: its context switches (each one a wake-up someone paid for) and its CPU time per
 * record, old writer against new. These counts do not depend on how busy the machine is, unlike
 * wall-clock throughput.
 *
 * <pre>java -cp bench/jmh/target/benchmarks.jar io.salve.proxy.metrics.AccessLogWakeups [rate/s] [seconds]</pre>
 */
public final class AccessLogWakeups {
  private AccessLogWakeups() {}

  public static void main(String[] args) throws Exception {
    int rate = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    ExchangeRecord[] records = AccessLogRecords.make(4096);
    System.out.printf("rate %d records/s for %d s, stream discards; per 1,000 records:%n", rate, seconds);
    for (int round = 0; round < 2; round++) { // the first round warms up the JIT
      measure("legacy (unpark when the queue was empty)", round, rate, seconds, records, true);
      measure("batched (10 ms cadence, no per-line wake-up)", round, rate, seconds, records, false);
    }
  }

  private static void measure(String name, int round, int rate, int seconds, ExchangeRecord[] records, boolean legacy)
      throws Exception {
    CountingStream out = new CountingStream();
    AutoCloseable log = legacy ? new LegacyAccessLog(out) : new AccessLog(out);
    ExchangeObserver observer = (ExchangeObserver) log;
    Thread writer = writerThread();
    long tid = nativeId(writer);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long switches0 = switches(tid);
    long cpu0 = threads.getThreadCpuTime(writer.getId());
    long period = 1_000_000_000L / rate;
    long total = (long) rate * seconds;
    long deadline = System.nanoTime();
    for (long i = 0; i < total; i++) {
      deadline += period;
      while (System.nanoTime() < deadline) {
        Thread.onSpinWait(); // stands in for forwarding the request
      }
      observer.onRequestEnded(records[(int) (i & (records.length - 1))]);
    }
    long switches = switches(tid) - switches0;
    long cpu = threads.getThreadCpuTime(writer.getId()) - cpu0;
    log.close();
    long dropped = legacy ? ((LegacyAccessLog) log).dropped() : ((AccessLog) log).dropped();
    if (round > 0) {
      System.out.printf(
          "%-46s context switches %7.1f   writer CPU %6.0f ns/record   writes %6.1f   dropped %d%n",
          name, switches * 1000.0 / total, (double) cpu / total, out.writes.sum() * 1000.0 / total, dropped);
    }
  }

  private static Thread writerThread() {
    for (int i = 0; i < 100; i++) {
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        if (t.getName().equals("salve-access-log") && t.isAlive()) {
          return t;
        }
      }
      Thread.onSpinWait();
    }
    throw new IllegalStateException("no writer thread");
  }

  /** The Linux thread id of a Java thread, from /proc/self/task/N/comm (names are unique here). */
  private static long nativeId(Thread t) throws IOException, InterruptedException {
    for (int attempt = 0; attempt < 100; attempt++) { // a new thread names its task a moment after start
      try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
        for (Path task : (Iterable<Path>) tasks::iterator) {
          String comm = Files.readString(task.resolve("comm")).trim();
          if (t.getName().startsWith(comm)) { // comm is cut at 15 characters
            return Long.parseLong(task.getFileName().toString());
          }
        }
      }
      Thread.sleep(10);
    }
    throw new IllegalStateException("no task for " + t.getName());
  }

  private static long switches(long tid) throws IOException {
    long n = 0;
    for (String line : Files.readAllLines(Path.of("/proc/self/task/" + tid + "/status"))) {
      if (line.startsWith("voluntary_ctxt_switches") || line.startsWith("nonvoluntary_ctxt_switches")) {
        n += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    return n;
  }

  private static final class CountingStream extends OutputStream {
    final LongAdder writes = new LongAdder();

    @Override
    public void write(int b) {
      writes.increment();
    }

    @Override
    public void write(byte[] b, int off, int len) {
      writes.increment();
    }
  }
}
