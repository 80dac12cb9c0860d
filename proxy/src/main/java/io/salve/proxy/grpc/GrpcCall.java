package io.salve.proxy.grpc;

/**
 * A request that is a gRPC call, decided once from its head: its {@code content-type} is {@code
 * application/grpc} or starts with {@code application/grpc+} or {@code application/grpc;} (case
 * ignored, as media types are). Immutable.
 *
 * @param timeoutNanos the deadline the client set with {@code grpc-timeout}, or -1 when it set none
 *     (or an invalid one, which is ignored: the route timeout then applies)
 */
public record GrpcCall(long timeoutNanos) {
  private static final String GRPC = "application/grpc";
  private static final GrpcCall NO_DEADLINE = new GrpcCall(-1);
  /** About 36 years: a longer grpc-timeout means no deadline, and deadlines added to a ticker cannot overflow. */
  private static final long MAX_TIMEOUT_NANOS = 1L << 60;

  /**
   * @param contentType the request's content-type, or null
   * @param grpcTimeout the request's grpc-timeout, or null
   * @return the call, or null when the request is not a gRPC call
   */
  public static GrpcCall of(CharSequence contentType, CharSequence grpcTimeout) {
    if (!isGrpc(contentType)) {
      return null;
    }
    long timeout = grpcTimeout == null ? -1 : GrpcTimeout.parseNanos(grpcTimeout);
    return timeout < 0 || timeout >= MAX_TIMEOUT_NANOS ? NO_DEADLINE : new GrpcCall(timeout);
  }

  /** @return whether a content-type names a gRPC call. */
  public static boolean isGrpc(CharSequence contentType) {
    if (contentType == null || contentType.length() < GRPC.length()) {
      return false;
    }
    for (int i = 0; i < GRPC.length(); i++) {
      if (Character.toLowerCase(contentType.charAt(i)) != GRPC.charAt(i)) {
        return false;
      }
    }
    if (contentType.length() == GRPC.length()) {
      return true;
    }
    char next = contentType.charAt(GRPC.length());
    return next == '+' || next == ';';
  }

  /** @return whether the client set a deadline. */
  public boolean hasDeadline() {
    return timeoutNanos >= 0;
  }

  /**
   * @param routeTimeoutNanos the route's timeout in nanoseconds, or -1 for none
   * @return the call's deadline budget: the shorter of the client's and the route's, or -1 for none
   */
  public long effectiveTimeoutNanos(long routeTimeoutNanos) {
    if (timeoutNanos < 0) {
      return routeTimeoutNanos;
    }
    return routeTimeoutNanos < 0 ? timeoutNanos : Math.min(timeoutNanos, routeTimeoutNanos);
  }
}
