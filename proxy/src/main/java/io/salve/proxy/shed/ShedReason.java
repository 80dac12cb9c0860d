package io.salve.proxy.shed;

import java.util.Locale;

/** Why a request was refused. */
public enum ShedReason {
  /** The {@link LoadState} does not admit the route's criticality. */
  LOAD_STATE,
  /** The listener's {@link AdaptiveLimiter} refused it. */
  CONCURRENCY_LIMIT;

  /** @return the lower-case spelling, e.g. {@code "concurrency_limit"}. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }
}
