package io.salve.config;

import java.util.Set;

/**
 * A set of outcomes, as written in {@code retryOn} or {@code failOn}: {@code connect-failure},
 * {@code reset}, {@code timeout}, {@code 5xx}, {@code gateway-error} (= 502, 503, 504), explicit
 * status codes, and gRPC status names such as {@code unavailable} (see {@link GrpcCodes}).
 *
 * @param connectFailure the connection could not be established (nothing was sent)
 * @param reset the connection was reset or closed before a full response
 * @param timeout the attempt timed out
 * @param any5xx any status from 500 to 599
 * @param statuses explicit status codes
 * @param grpcStatuses gRPC status codes (1 to 16) that count, whatever the HTTP status (gRPC answers 200)
 */
public record FailureConditions(
    boolean connectFailure, boolean reset, boolean timeout, boolean any5xx, Set<Integer> statuses,
    Set<Integer> grpcStatuses) {
  /** Boxed status codes, so that the per-response lookup allocates nothing (Integer caches only to 127). */
  private static final Integer[] BOXED = new Integer[1000];

  static {
    for (int i = 0; i < BOXED.length; i++) {
      BOXED[i] = i;
    }
  }

  public FailureConditions {
    statuses = Set.copyOf(statuses);
    grpcStatuses = Set.copyOf(grpcStatuses);
  }

  /** Conditions without gRPC statuses. */
  public FailureConditions(boolean connectFailure, boolean reset, boolean timeout, boolean any5xx, Set<Integer> statuses) {
    this(connectFailure, reset, timeout, any5xx, statuses, Set.of());
  }

  /** @return whether an upstream response with this status is in the set. */
  public boolean matchesStatus(int status) {
    return (any5xx && status >= 500 && status <= 599)
        || (status >= 0 && status < BOXED.length ? statuses.contains(BOXED[status]) : statuses.contains(status));
  }

  /** @return whether a gRPC status (1 to 16; 0 is OK and never matches) is in the set. */
  public boolean matchesGrpcStatus(int grpcStatus) {
    return grpcStatuses.contains(grpcStatus);
  }
}
