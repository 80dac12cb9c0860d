package io.salve.proxy.coord;

import io.salve.proxy.util.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The published {@link LeaderView} of one election, and the {@code GET /leader?wait=} requests
 * waiting for it to change. Published on the coordination thread; read and awaited from the admin
 * thread. {@code since} strictly increases with every change, so it identifies a view: a client
 * that passes the {@code since} it last saw is answered at once if it missed a change.
 */
public final class LeaderBoard {
  private record Waiter(LeaderView basis, CompletableFuture<LeaderView> answer) {}

  private final Clock clock;
  private final Ticker ticker;
  private final ScheduledExecutorService timer;
  private final BiConsumer<LeaderView, LeaderView> onChange;
  private final List<Waiter> waiters = new ArrayList<>();
  private volatile LeaderView current;
  /** Until when (ticker nanos) a published {@code self: true} may be served. */
  private volatile long selfDeadlineNanos;

  /**
   * @param timer ends waits (the coordination thread)
   * @param onChange called with (previous, current) on every change, on the publishing thread
   */
  public LeaderBoard(
      String election,
      Clock clock,
      Ticker ticker,
      ScheduledExecutorService timer,
      BiConsumer<LeaderView, LeaderView> onChange) {
    this.clock = clock;
    this.ticker = ticker;
    this.timer = timer;
    this.onChange = onChange;
    this.current = LeaderView.unknown(election, clock.instant());
  }

  /**
   * @return the view to serve now. A {@code self: true} is re-checked against its deadline at read
   *     time, so even if the coordination thread is late to publish the step-down (a pause, a busy
   *     machine), no answer claims a leadership whose lease salve can no longer vouch for.
   */
  public LeaderView current() {
    LeaderView v = current;
    if (v.self() && ticker.nanos() - selfDeadlineNanos >= 0) {
      return new LeaderView(v.election(), null, false, null, v.since());
    }
    return v;
  }

  /** Publishes a view in which this instance does not lead. */
  public void publish(String leader, Long fencingToken) {
    publish(leader, false, fencingToken, 0);
  }

  /**
   * Publishes what the election knows now; a no-op unless leader, self or token changed.
   *
   * @param selfDeadlineNanos with {@code self}: the ticker time from which {@code self} must no
   *     longer be served unless published again (the lease guard's deadline)
   */
  public void publish(String leader, boolean self, Long fencingToken, long selfDeadlineNanos) {
    this.selfDeadlineNanos = selfDeadlineNanos;
    List<Waiter> done;
    LeaderView previous;
    LeaderView next;
    synchronized (this) {
      previous = current;
      next = new LeaderView(previous.election(), leader, self, fencingToken, previous.since());
      if (!next.differsFrom(previous)) {
        return;
      }
      Instant now = clock.instant();
      // Strictly increasing, so that `since` names exactly one view.
      Instant since = now.isAfter(previous.since()) ? now : previous.since().plusNanos(1000);
      next = new LeaderView(previous.election(), leader, self, fencingToken, since);
      current = next;
      done = new ArrayList<>(waiters);
      waiters.clear();
    }
    for (Waiter w : done) {
      w.answer().complete(next);
    }
    onChange.accept(previous, next);
  }

  /**
   * @param knownSince the {@code since} the client last saw, or null: answer when the view changes
   *     from the current one
   * @return the view, as soon as it differs from what the client knows, or when {@code wait} ends
   */
  public CompletableFuture<LeaderView> await(Instant knownSince, Duration wait) {
    CompletableFuture<LeaderView> answer = new CompletableFuture<>();
    Waiter w;
    synchronized (this) {
      LeaderView now = current();
      if (wait.isZero() || (knownSince != null && !knownSince.equals(now.since()))) {
        return CompletableFuture.completedFuture(now);
      }
      w = new Waiter(now, answer);
      waiters.add(w);
    }
    try {
      timer.schedule(() -> expire(w), wait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
      expire(w);
    }
    return answer;
  }

  private void expire(Waiter w) {
    synchronized (this) {
      if (!waiters.remove(w)) {
        return;
      }
    }
    w.answer().complete(current());
  }

  /** Answers every waiter with the current view (on shutdown). */
  public void releaseAll() {
    List<Waiter> done;
    synchronized (this) {
      done = new ArrayList<>(waiters);
      waiters.clear();
    }
    LeaderView now = current();
    done.forEach(w -> w.answer().complete(now));
  }

  /** @return requests waiting now. */
  public synchronized int waiting() {
    return waiters.size();
  }
}
