package io.salve.proxy;

import io.salve.config.Values;
import io.salve.proxy.forward.CompositeObserver;
import io.salve.proxy.server.SalveServer;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A graceful shutdown and the process's last log line, which says how it went: {@code drained 3
 * requests in 412ms, exiting}, or at the drain timeout {@code drain timeout reached: drained 2 requests
 * in 15s, closed 1 request still in flight, exiting}. Runs on the shutdown thread, never an event loop.
 */
final class Drain {
  private static final Logger LOG = LoggerFactory.getLogger(Drain.class);

  private Drain() {}

  /**
   * Drains {@code server} for up to {@code timeout}, then runs {@code close} and logs the last line.
   *
   * @return whether every request in flight finished within the timeout
   */
  static boolean run(SalveServer server, CompositeObserver observer, Duration timeout, Runnable close)
      throws InterruptedException {
    long start = System.nanoTime();
    long endedBefore = observer.ended();
    // What the drain saw when it decided: the requests it then cuts off end (and count as ended) later.
    long[] atDecision = new long[2];
    boolean clean =
        server.drain(
            timeout,
            () -> {
              atDecision[0] = observer.ended();
              atDecision[1] = observer.inFlight();
              return (int) atDecision[1];
            });
    String took = Values.format(Duration.ofMillis((System.nanoTime() - start) / 1_000_000));
    close.run();
    String drained = requests(atDecision[0] - endedBefore);
    if (clean) {
      LOG.info("drained {} in {}, exiting", drained, took);
    } else {
      LOG.warn(
          "drain timeout reached: drained {} in {}, closed {} still in flight, exiting",
          drained, took, requests(atDecision[1]));
    }
    return clean;
  }

  private static String requests(long n) {
    return n + (n == 1 ? " request" : " requests");
  }
}
