package io.salve.proxy.shed;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import io.salve.config.Criticality;
import io.salve.proxy.util.Ticker;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/** The enabled {@link AdaptiveLimiter}: a {@link Limit} with criticality-tiered admission. */
final class GradientLimiter implements AdaptiveLimiter {
  private final Limit limit;
  private final Ticker ticker;
  private final SampleFeeder feeder;
  private final AtomicInteger inflight = new AtomicInteger();

  GradientLimiter(Limit limit, Ticker ticker) {
    this.limit = Objects.requireNonNull(limit, "limit");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.feeder = new SampleFeeder(limit);
  }

  static GradientLimiter create(int minLimit, int maxLimit, Ticker ticker) {
    if (minLimit < 1 || maxLimit < minLimit) {
      throw new IllegalArgumentException(
          "need 1 <= minLimit <= maxLimit, got " + minLimit + ".." + maxLimit);
    }
    Gradient2Limit gradient =
        Gradient2Limit.newBuilder()
            .minLimit(minLimit)
            .maxConcurrency(maxLimit)
            .initialLimit(Math.max(minLimit, Math.min(maxLimit, 100)))
            .build();
    return new GradientLimiter(gradient, ticker);
  }

  @Override
  public Optional<Token> tryAcquire(Criticality criticality) {
    Objects.requireNonNull(criticality, "criticality");
    int currentLimit = limit.getLimit();
    while (true) {
      int current = inflight.get();
      if (!admits(criticality, current, currentLimit)) {
        return Optional.empty();
      }
      if (inflight.compareAndSet(current, current + 1)) {
        return Optional.of(new Ticket(this, ticker.nanos(), current + 1));
      }
    }
  }

  /**
   * @return whether a request of {@code criticality} may start with {@code inflight} already
   *     running under {@code limit}; integer arithmetic so the shares are exact
   */
  static boolean admits(Criticality criticality, int inflight, int limit) {
    long running = inflight;
    return switch (criticality) {
      case CRITICAL -> running < limit;
      case NORMAL -> running * 10 < 9L * limit;
      case SHEDDABLE -> running * 4 < 3L * limit;
    };
  }

  @Override
  public int limit() {
    return limit.getLimit();
  }

  @Override
  public int inflight() {
    return inflight.get();
  }

  private static final class Ticket implements Token {
    private static final AtomicIntegerFieldUpdater<Ticket> DONE =
        AtomicIntegerFieldUpdater.newUpdater(Ticket.class, "done");

    private final GradientLimiter owner;
    private final long startNanos;
    private final int inflightAtStart;
    private volatile int done;

    Ticket(GradientLimiter owner, long startNanos, int inflightAtStart) {
      this.owner = owner;
      this.startNanos = startNanos;
      this.inflightAtStart = inflightAtStart;
    }

    @Override
    public void onSuccess() {
      complete(true, false);
    }

    @Override
    public void onDropped() {
      complete(true, true);
    }

    @Override
    public void onIgnore() {
      complete(false, false);
    }

    private void complete(boolean sample, boolean dropped) {
      if (!DONE.compareAndSet(this, 0, 1)) {
        return;
      }
      owner.inflight.decrementAndGet();
      if (sample) {
        // Gradient2 divides by the round trip; a zero one would turn the limit into NaN, i.e. 0.
        long rtt = Math.max(1, owner.ticker.nanos() - startNanos);
        owner.feeder.offer(startNanos, rtt, inflightAtStart, dropped);
      }
    }
  }
}
