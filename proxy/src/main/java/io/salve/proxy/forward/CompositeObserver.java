package io.salve.proxy.forward;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Fans each event out to several observers, and counts requests in flight for draining. */
public final class CompositeObserver implements ExchangeObserver {
  private final ExchangeObserver[] observers;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final LongAdder ended = new LongAdder(); // an adder: every event loop ends requests

  public CompositeObserver(List<ExchangeObserver> observers) {
    this.observers = observers.toArray(new ExchangeObserver[0]);
  }

  /** @return requests started and not yet ended, and upgraded tunnels still open, over all listeners. */
  public int inFlight() {
    return inFlight.get();
  }

  /** @return requests ended since start, over all listeners (the shutdown line counts the drained ones). */
  public long ended() {
    return ended.sum();
  }

  @Override
  public void onRequestStarted(String listener) {
    inFlight.incrementAndGet();
    for (ExchangeObserver o : observers) {
      o.onRequestStarted(listener);
    }
  }

  @Override
  public void onRequestEnded(ExchangeRecord record) {
    inFlight.decrementAndGet();
    ended.increment();
    for (ExchangeObserver o : observers) {
      o.onRequestEnded(record);
    }
  }

  /** A tunnel counts as in flight, so the drain waits for it (up to drainTimeout). */
  @Override
  public void onTunnelOpened(String listener) {
    inFlight.incrementAndGet();
    for (ExchangeObserver o : observers) {
      o.onTunnelOpened(listener);
    }
  }

  @Override
  public void onTunnelClosed(String listener, Tunnel.End end, long bytesToUpstream, long bytesToClient) {
    inFlight.decrementAndGet();
    for (ExchangeObserver o : observers) {
      o.onTunnelClosed(listener, end, bytesToUpstream, bytesToClient);
    }
  }

  @Override
  public void onAttemptEnded(String upstream, String endpoint, String outcome) {
    for (ExchangeObserver o : observers) {
      o.onAttemptEnded(upstream, endpoint, outcome);
    }
  }

  @Override
  public void onRejected(String upstream, String reason) {
    for (ExchangeObserver o : observers) {
      o.onRejected(upstream, reason);
    }
  }

  @Override
  public void onRetry(String upstream, String reason) {
    for (ExchangeObserver o : observers) {
      o.onRetry(upstream, reason);
    }
  }

  @Override
  public void onRetryBudgetExhausted(String upstream) {
    for (ExchangeObserver o : observers) {
      o.onRetryBudgetExhausted(upstream);
    }
  }
}
