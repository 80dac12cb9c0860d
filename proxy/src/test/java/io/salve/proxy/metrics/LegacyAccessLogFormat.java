package io.salve.proxy.metrics;

import io.salve.proxy.forward.ExchangeRecord;
import io.salve.proxy.util.JsonText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The access-log line as salve formatted it before issue 18 (a {@code StringBuilder} line, encoded by an
 * {@code OutputStreamWriter}), frozen here as the reference {@link AccessLogFormat} must match byte for
 * byte. Do not "improve" it: its quirks are the format.
 */
final class LegacyAccessLogFormat {
  private LegacyAccessLogFormat() {}

  static String format(ExchangeRecord r) {
    StringBuilder sb = new StringBuilder(320);
    sb.append("{\"timestamp\":\"").append(Instant.ofEpochMilli(r.epochMillis())).append('"');
    str(sb, "requestId", r.requestId());
    str(sb, "client", r.client());
    str(sb, "method", r.method());
    str(sb, "protocol", r.protocol());
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

  /** The bytes the old writer put on stdout for these records, one line each, in order. */
  static byte[] bytes(Iterable<ExchangeRecord> records) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (Writer w = new OutputStreamWriter(bytes, StandardCharsets.UTF_8)) {
      for (ExchangeRecord r : records) {
        w.write(format(r));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void str(StringBuilder sb, String key, String value) {
    sb.append(",\"").append(key).append("\":");
    if (value == null) {
      sb.append("null");
      return;
    }
    JsonText.appendString(sb, value);
  }
}
