package io.salve.proxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.salve.proxy.forward.ExchangeRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AccessLogTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final long HOUR = TimeUnit.HOURS.toNanos(1);

  private static ExchangeRecord record(int i) {
    return new ExchangeRecord(
        1_796_000_000_000L + i, "req-" + i, "127.0.0.1", "GET", "/items/" + i + "?q=\"caf\u00e9\"", "public", "api", "app",
        "10.0.0.1:8080", 200, 1_500_000L + i, i, 1024, 1, i % 7 == 0 ? "upstream_timeout" : null);
  }

  /** Collects what the writer writes, counting write calls; thread-safe as the writer is another thread. */
  private static final class Sink extends OutputStream {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CountDownLatch firstWrite = new CountDownLatch(1);
    private int writes;

    @Override
    public synchronized void write(int b) {
      bytes.write(b);
      writes++;
      firstWrite.countDown();
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      bytes.write(b, off, len);
      writes++;
      firstWrite.countDown();
    }

    synchronized byte[] bytes() {
      return bytes.toByteArray();
    }

    synchronized int writes() {
      return writes;
    }
  }

  @Test
  void everyLineIsWrittenInOrderAndFlushedOnClose() {
    Sink sink = new Sink();
    List<ExchangeRecord> records = new ArrayList<>();
    AccessLog log = new AccessLog(sink, 65536, 10 * MS, 10, HOUR);
    for (int i = 0; i < 20_000; i++) {
      ExchangeRecord r = record(i);
      records.add(r);
      log.onRequestEnded(r);
    }
    log.close();

    assertThat(sink.bytes()).isEqualTo(LegacyAccessLogFormat.bytes(records));
    assertThat(log.dropped()).isZero();
  }

  @Test
  void linesAreWrittenInBatchesNotOneWriteEach() {
    Sink sink = new Sink();
    AccessLog log = new AccessLog(sink, 65536, 10 * MS, 10, HOUR);
    for (int i = 0; i < 5_000; i++) {
      log.onRequestEnded(record(i));
    }
    log.close();

    // about 250 bytes a line in 64 KiB buffers: 20 writes if the writer saw everything at once; a writer
    // racing the producer writes more often, but never once per line
    assertThat(sink.writes()).isLessThan(500);
  }

  @Test
  void aBusyWriterIsNotWokenPerRecord() throws Exception {
    Sink sink = new Sink();
    AccessLog log = new AccessLog(sink, 65536, 1 * MS, 1_000_000, HOUR);
    // The writer thread starts asleep, but under CPU load it may not have parked yet: a record offered
    // before then is found without a wake-up, and this test is about the wake-ups after the first.
    await().atMost(Duration.ofSeconds(10)).until(log::idle);
    log.onRequestEnded(record(0)); // wakes the writer from its initial idle park
    assertThat(sink.firstWrite.await(10, TimeUnit.SECONDS)).isTrue();
    for (int i = 1; i < 2_000; i++) {
      log.onRequestEnded(record(i));
    }
    log.close();

    // busy (a million empty rounds before it idles): no event loop unparks it again
    assertThat(log.wakeups()).isEqualTo(1);
    assertThat(sink.bytes()).hasSize(LegacyAccessLogFormat.bytes(records(2_000)).length);
  }

  @Test
  void anIdleWriterIsWokenByTheNextRecord() throws Exception {
    Sink sink = new Sink();
    // it would sleep an hour on its own: only the record's wake-up can get the line out in time
    AccessLog log = new AccessLog(sink, 65536, 1 * MS, 1, HOUR);
    log.onRequestEnded(record(1));

    assertThat(sink.firstWrite.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(sink.bytes()).isEqualTo(LegacyAccessLogFormat.bytes(List.of(record(1))));
    log.close();
  }

  @Test
  void whenTheQueueIsFullRecordsAreDroppedAndCounted() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch blocked = new CountDownLatch(1);
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    OutputStream stuck =
        new OutputStream() {
          @Override
          public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public void write(byte[] b, int off, int len) {
            blocked.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            synchronized (written) {
              written.write(b, off, len);
            }
          }
        };
    AccessLog log = new AccessLog(stuck, 8, 1 * MS, 10, HOUR);
    log.onRequestEnded(record(0));
    assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue(); // the writer is stuck in its first write
    for (int i = 1; i <= 100; i++) {
      log.onRequestEnded(record(i));
    }

    assertThat(log.dropped()).isEqualTo(100 - 8);
    release.countDown();
    log.close();
    synchronized (written) {
      assertThat(written.toString(java.nio.charset.StandardCharsets.UTF_8).lines()).hasSize(1 + 8);
    }
  }

  @Test
  void aFailingStreamCountsItsLinesAsDropped() {
    OutputStream broken =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            throw new IOException("stdout closed");
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            throw new IOException("stdout closed");
          }
        };
    AccessLog log = new AccessLog(broken, 65536, 1 * MS, 10, HOUR);
    for (int i = 0; i < 1_000; i++) {
      log.onRequestEnded(record(i));
    }
    log.close();

    assertThat(log.dropped()).isEqualTo(1_000);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    log.bindTo(registry);
    assertThat(registry.get("salve.access.log.dropped").functionCounter().count()).isEqualTo(1_000.0);
  }

  @Test
  void aLineLargerThanTheBufferIsWrittenWhole() {
    Sink sink = new Sink();
    String longPath = "/" + "\u0001".repeat(20_000); // 120 KB escaped, worst case bound beyond 64 KiB
    ExchangeRecord big =
        new ExchangeRecord(1_796_000_000_000L, "r", "c", "GET", longPath, "l", "r", "u", "e", 200, 1_000_000, 0, 0, 1, null);
    List<ExchangeRecord> records = List.of(record(1), big, record(2));
    AccessLog log = new AccessLog(sink, 65536, 10 * MS, 10, HOUR);
    records.forEach(log::onRequestEnded);
    log.close();

    assertThat(sink.bytes()).isEqualTo(LegacyAccessLogFormat.bytes(records));
  }

  private static List<ExchangeRecord> records(int n) {
    List<ExchangeRecord> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(record(i));
    }
    return list;
  }
}
