package io.salve.archfixture.shed;

import io.netty.util.concurrent.EventExecutor;

/** A load decision that schedules on an event loop itself instead of being driven by a ticker. */
public final class FixtureLimiter {
  public void recalculateLater(EventExecutor loop) {
    loop.execute(() -> {});
  }
}
