package io.salve.config;

import java.util.Set;

/**
 * A set of outcomes, as written in {@code retryOn} or {@code failOn}: {@code connect-failure},
 * {@code reset}, {@code timeout}, {@code 5xx}, {@code gateway-error} (= 502, 503, 504) and explicit
 * status codes.
 *
 * @param connectFailure the connection could not be established (nothing was sent)
 * @param reset the connection was reset or closed before a full response
 * @param timeout the attempt timed out
 * @param any5xx any status from 500 to 599
 * @param statuses explicit status codes
 */
public record FailureConditions(
    boolean connectFailure, boolean reset, boolean timeout, boolean any5xx, Set<Integer> statuses) {
  public FailureConditions {
    statuses = Set.copyOf(statuses);
  }

  /** @return whether an upstream response with this status is in the set. */
  public boolean matchesStatus(int status) {
    return (any5xx && status >= 500 && status <= 599) || statuses.contains(status);
  }
}
