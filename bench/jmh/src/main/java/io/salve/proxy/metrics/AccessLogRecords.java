package io.salve.proxy.metrics;

import io.salve.proxy.forward.ExchangeRecord;
import java.util.SplittableRandom;

/** Realistic access-log records for the benchmarks: UUID request ids, API paths with queries, some errors. */
final class AccessLogRecords {
  private AccessLogRecords() {}

  static ExchangeRecord[] make(int n) {
    SplittableRandom random = new SplittableRandom(18);
    String[] paths = {"/", "/api/orders", "/api/orders/4711/items?expand=product&limit=50", "/health", "/static/app.js"};
    ExchangeRecord[] records = new ExchangeRecord[n];
    long start = 1_796_000_000_000L;
    for (int i = 0; i < n; i++) {
      String id = new java.util.UUID(random.nextLong(), random.nextLong()).toString();
      boolean failed = random.nextInt(20) == 0;
      records[i] =
          new ExchangeRecord(
              start + i / 16, // 16 requests per millisecond, as at 16k req/s
              id,
              "10.1." + random.nextInt(256) + "." + random.nextInt(256),
              random.nextInt(5) == 0 ? "POST" : "GET",
              paths[random.nextInt(paths.length)],
              "public",
              "api",
              "app",
              "10.0.0." + random.nextInt(8) + ":8080",
              failed ? 502 : 200,
              100_000L + random.nextInt(20_000_000),
              random.nextInt(2048),
              1024 + random.nextInt(4096),
              failed ? 2 : 1,
              failed ? "upstream_connect_failure" : null);
    }
    return records;
  }
}
