package io.salve.proxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.salve.proxy.forward.ExchangeRecord;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AccessLogFormatTest {
  private static final long NOW = 1_796_000_000_123L; // 2026-11-30, with milliseconds

  /** Characters that take every path through the escaper and the encoder. */
  private static final String ALPHABET =
      "abcXYZ019/-_.~?&=%:@ \"\\\u0000\u0001\u0008\t\n\r\u001b\u001f\u007f\u0080\u00a0\u00e9\u00ff"
          + "\u0100\u07ff\u0800\u20ac\ufeff\uffff";

  private final AccessLogFormat format = new AccessLogFormat();

  private String formatted(ExchangeRecord r) {
    byte[] buf = new byte[AccessLogFormat.maxLength(r)];
    int end = format.write(r, buf, 0);
    return new String(Arrays.copyOf(buf, end), StandardCharsets.ISO_8859_1);
  }

  private static String legacy(ExchangeRecord r) {
    return new String(LegacyAccessLogFormat.bytes(List.of(r)), StandardCharsets.ISO_8859_1);
  }

  private static ExchangeRecord record(long millis, String path, long durationNanos) {
    return new ExchangeRecord(
        millis, "req-1", "127.0.0.1", "GET", path, "public", "api", "app", "10.0.0.1:8080", 200, durationNanos, 12, 1024, 1, null);
  }

  @Test
  void aTypicalLineIsTheOldLine() {
    ExchangeRecord r = record(NOW, "/api/orders?id=7", 1_234_567);

    assertThat(formatted(r)).isEqualTo(legacy(r));
    assertThat(formatted(r))
        .isEqualTo(
            "{\"timestamp\":\"2026-11-30T00:53:20.123Z\",\"requestId\":\"req-1\",\"client\":\"127.0.0.1\","
                + "\"method\":\"GET\",\"protocol\":\"HTTP/1.1\",\"path\":\"/api/orders?id=7\",\"listener\":\"public\",\"route\":\"api\","
                + "\"upstream\":\"app\",\"endpoint\":\"10.0.0.1:8080\",\"status\":200,\"durationMs\":1.234567,"
                + "\"bytesIn\":12,\"bytesOut\":1024,\"attempts\":1,\"error\":null}\n");
  }

  @Test
  void escapingAndEncodingMatchTheOldWriter() {
    String[] values = {
      "", "\"", "\\", "\u0000", "\u001f", "\t\r\n", "\u007f", "caf\u00e9", "\u20ac", "\ud83d\ude00",
      "\ud83d", "\ude00", "x\ud83dy", "\ude00\ud83d", "\ud83d\ud83d\ude00", "end\ud83d"
    };
    for (String v : values) {
      ExchangeRecord r = new ExchangeRecord(NOW, v, v, v, v, v, v, v, v, 502, 5_000_000, 0, 0, 2, v, v);
      assertThat(formatted(r)).as("value %s", v.chars().mapToObj(Integer::toHexString).toList()).isEqualTo(legacy(r));
    }
  }

  @Test
  void nullsAreJsonNull() {
    ExchangeRecord r = new ExchangeRecord(NOW, null, null, null, null, null, null, null, null, 499, 0, 0, 0, 0, null, null);

    assertThat(formatted(r)).isEqualTo(legacy(r)).contains("\"requestId\":null,").endsWith("\"error\":null}\n");
  }

  @Test
  void timestampsMatchInstantToString() {
    long[] millis = {
      0, 1, 999, 1000, 1001, 1010, 1100, NOW, NOW - 123, NOW + 877, -1, -1000, -1001,
      253_402_300_799_999L, 253_402_300_800_000L, 253_402_300_800_001L, -62_167_219_200_000L, -62_167_219_200_001L
    };
    for (long m : millis) {
      ExchangeRecord r = record(m, "/", 1_000_000);
      assertThat(formatted(r)).as("millis %d", m).isEqualTo(legacy(r));
    }
    // consecutive seconds, in and out of order, through the one-second cache
    Random random = new Random(18);
    for (int i = 0; i < 5000; i++) {
      ExchangeRecord r = record(NOW + random.nextInt(4000) - 2000, "/", 1_000_000);
      assertThat(formatted(r)).isEqualTo(legacy(r));
    }
  }

  @Test
  void durationsMatchDoubleToString() {
    long[] edges = {0, 1, 5, 10, 999, 1000, 1001, 9999, 10_000, 100_000, 999_999, 1_000_000, 1_000_001,
      10_000_000_000_000L - 1, 10_000_000_000_000L, 10_000_000_000_001L, Long.MAX_VALUE, -1, -1_000_000, Long.MIN_VALUE};
    for (long n : edges) {
      ExchangeRecord r = record(NOW, "/", n);
      assertThat(formatted(r)).as("nanos %d", n).isEqualTo(legacy(r));
    }
    for (long n = 0; n < 100_000; n += 1) {
      assertDuration(n);
    }
    Random random = new Random(42);
    for (int i = 0; i < 100_000; i++) {
      long magnitude = (long) Math.pow(10, 3 + random.nextInt(11)); // 1 µs .. 1e13 ns
      assertDuration(Math.floorMod(random.nextLong(), magnitude * 10));
    }
  }

  private void assertDuration(long nanos) {
    ExchangeRecord r = record(NOW, "/", nanos);
    String line = formatted(r);
    String expected = Double.toString(nanos / 1_000_000.0);
    int at = line.indexOf("\"durationMs\":") + 13;
    String actual = line.substring(at, line.indexOf(',', at));
    if (!actual.equals(expected)) {
      assertThat(actual).as("nanos %d", nanos).isEqualTo(expected);
    }
  }

  @Test
  void integersMatchToString() {
    long[] values = {0, 1, 9, 10, 99, 100, -1, -9, -10, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE};
    for (long v : values) {
      ExchangeRecord r = new ExchangeRecord(NOW, "a", "b", "c", "d", "e", "f", "g", "h", (int) v, 1, v, -v, (int) v, "i");
      assertThat(formatted(r)).as("value %d", v).isEqualTo(legacy(r));
    }
  }

  @Test
  void manyRandomRecordsMatchTheOldWriterByteForByte() {
    Random random = new Random(2026);
    for (int i = 0; i < 20_000; i++) {
      ExchangeRecord r =
          new ExchangeRecord(
              NOW + random.nextInt(100_000) - 50_000,
              randomString(random),
              randomString(random),
              randomString(random),
              randomString(random),
              randomString(random),
              randomString(random),
              randomString(random),
              randomString(random),
              100 + random.nextInt(500),
              random.nextInt(4) == 0 ? random.nextInt(2000) : Math.abs(random.nextLong() % 100_000_000_000L),
              random.nextInt(3) == 0 ? random.nextLong() : random.nextInt(1 << 20),
              random.nextInt(1 << 20),
              random.nextInt(4),
              randomString(random));
      String expected = legacy(r);
      String actual = formatted(r);
      if (!actual.equals(expected)) {
        assertThat(actual).as("record %s", r).isEqualTo(expected);
      }
      assertThat(actual.length()).isLessThanOrEqualTo(AccessLogFormat.maxLength(r));
    }
  }

  private static String randomString(Random random) {
    if (random.nextInt(8) == 0) {
      return null;
    }
    int length = random.nextInt(40);
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      int kind = random.nextInt(10);
      if (kind < 6) {
        sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
      } else if (kind < 8) {
        sb.append((char) (0x20 + random.nextInt(0x5f)));
      } else if (kind < 9) {
        sb.appendCodePoint(0x10000 + random.nextInt(0xfffff)); // a surrogate pair
      } else {
        sb.append((char) (0xd800 + random.nextInt(0x800))); // a lone surrogate, most of the time
      }
    }
    return sb.toString();
  }

  @Test
  void aGrpcCallCarriesItsGrpcStatus() {
    ExchangeRecord r = new ExchangeRecord(
        NOW, "req-1", "127.0.0.1", "POST", "/pkg.Svc/Get", "public", "api", "app", "10.0.0.1:8080", 200, 1_000_000, 5,
        0, 2, "circuit_open", "HTTP/2.0", 14);

    assertThat(formatted(r)).contains("\"status\":200,\"grpcStatus\":14,\"durationMs\":1.0,");
    String controls = "\u0001".repeat(1000);
    ExchangeRecord worst = new ExchangeRecord(Long.MAX_VALUE, controls, controls, controls, controls, controls, controls,
        controls, controls, Integer.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE, Integer.MIN_VALUE, controls,
        controls, Integer.MAX_VALUE);
    assertThat(formatted(worst).length()).isLessThanOrEqualTo(AccessLogFormat.maxLength(worst));
  }

  @Test
  void theWorstCaseFitsTheBound() {
    String controls = "\u0001".repeat(1000);
    ExchangeRecord r =
        new ExchangeRecord(Long.MAX_VALUE, controls, controls, controls, controls, controls, controls, controls, controls,
            Integer.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE, Integer.MIN_VALUE, controls);

    assertThat(formatted(r)).isEqualTo(legacy(r));
    assertThat(formatted(r).length()).isLessThanOrEqualTo(AccessLogFormat.maxLength(r));
  }
}
