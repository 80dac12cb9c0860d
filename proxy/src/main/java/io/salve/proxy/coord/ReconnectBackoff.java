package io.salve.proxy.coord;

import java.time.Duration;

/**
 * How long to wait before the next connectivity check: a fixed interval while etcd answers, and a
 * doubling delay (capped) while it does not, so an absent etcd costs a few calls a minute.
 */
final class ReconnectBackoff {
  static final Duration UP_INTERVAL = Duration.ofSeconds(1);
  static final Duration FIRST_RETRY = Duration.ofMillis(250);
  static final Duration MAX_RETRY = Duration.ofSeconds(5);

  private Duration next = FIRST_RETRY;

  /** @return the delay after a successful check; also resets the retry delay. */
  Duration afterSuccess() {
    next = FIRST_RETRY;
    return UP_INTERVAL;
  }

  /** @return the delay after a failed check: 250ms, 500ms, 1s, ... capped at 5s. */
  Duration afterFailure() {
    Duration d = next;
    Duration doubled = next.multipliedBy(2);
    next = doubled.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : doubled;
    return d;
  }
}
