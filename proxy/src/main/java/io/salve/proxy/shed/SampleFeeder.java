package io.salve.proxy.shed;

import com.netflix.concurrency.limits.Limit;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds latency samples to a {@link Limit} without blocking the caller.
 *
 * <p>{@code AbstractLimit.onSample} is {@code synchronized}, so calling it from every event loop
 * would make them wait on each other. Instead samples are queued and whichever caller finds the
 * feeder idle drains the queue, alone, while the others return at once.
 */
final class SampleFeeder {
  private static final Logger LOG = LoggerFactory.getLogger(SampleFeeder.class);

  private record Sample(long startNanos, long rttNanos, int inflight, boolean dropped) {}

  private final Limit limit;
  private final Queue<Sample> queue = new ConcurrentLinkedQueue<>();
  // Offers not yet accounted for by the draining thread; non-zero means a drainer is active.
  private final AtomicInteger pending = new AtomicInteger();

  SampleFeeder(Limit limit) {
    this.limit = limit;
  }

  void offer(long startNanos, long rttNanos, int inflight, boolean dropped) {
    queue.offer(new Sample(startNanos, rttNanos, inflight, dropped));
    if (pending.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      Sample s;
      while ((s = queue.poll()) != null) {
        try {
          limit.onSample(s.startNanos(), s.rttNanos(), s.inflight(), s.dropped());
        } catch (RuntimeException e) {
          // Leaving the loop here would strand the counter and every later sample.
          LOG.warn("concurrency limit rejected a sample", e);
        }
      }
      missed = pending.addAndGet(-missed);
    } while (missed != 0);
  }
}
