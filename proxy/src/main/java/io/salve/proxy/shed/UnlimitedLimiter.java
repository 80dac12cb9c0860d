package io.salve.proxy.shed;

import io.salve.config.Criticality;
import java.util.Optional;

/** The limiter of a listener without adaptive concurrency: admits everything and keeps no state. */
enum UnlimitedLimiter implements AdaptiveLimiter, AdaptiveLimiter.Token {
  INSTANCE;

  // Shared so that the disabled path allocates nothing per request.
  private static final Optional<Token> ADMITTED = Optional.of(INSTANCE);

  @Override
  public Optional<Token> tryAcquire(Criticality criticality) {
    return ADMITTED;
  }

  @Override
  public int limit() {
    return Integer.MAX_VALUE;
  }

  @Override
  public int inflight() {
    return 0;
  }

  @Override
  public void onSuccess() {}

  @Override
  public void onDropped() {}

  @Override
  public void onIgnore() {}
}
