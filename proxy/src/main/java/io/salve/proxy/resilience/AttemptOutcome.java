package io.salve.proxy.resilience;

import io.salve.config.FailureConditions;
import io.salve.config.GrpcCodes;
import java.util.Objects;

/**
 * How one upstream attempt ended: it could not connect, the connection was reset, it timed out, or
 * a response status arrived (with, for a gRPC call, its grpc-status: gRPC answers failures with
 * HTTP 200). Whether that is a failure depends on the condition set it is checked
 * against ({@code failOn} of a breaker, {@code retryOn} of a retry policy). Immutable.
 */
public final class AttemptOutcome {

  /** The kinds of ending. */
  public enum Kind {
    /** The connection could not be established; nothing was sent. */
    CONNECT_FAILURE,
    /** The connection was reset or closed before a full response. */
    RESET,
    /** The attempt timed out. */
    TIMEOUT,
    /** A response status arrived. */
    RESPONSE
  }

  private static final AttemptOutcome CONNECT_FAILURE = new AttemptOutcome(Kind.CONNECT_FAILURE, 0);
  private static final AttemptOutcome RESET = new AttemptOutcome(Kind.RESET, 0);
  private static final AttemptOutcome TIMEOUT = new AttemptOutcome(Kind.TIMEOUT, 0);
  /** One instance per status code, made up front: an outcome is taken for every response. */
  private static final AttemptOutcome[] RESPONSES = new AttemptOutcome[1000];

  static {
    for (int code = 100; code < RESPONSES.length; code++) {
      RESPONSES[code] = new AttemptOutcome(Kind.RESPONSE, code);
    }
  }

  private final Kind kind;
  private final int status;
  private final int grpcStatus;

  private AttemptOutcome(Kind kind, int status) {
    this(kind, status, -1);
  }

  private AttemptOutcome(Kind kind, int status, int grpcStatus) {
    this.kind = kind;
    this.status = status;
    this.grpcStatus = grpcStatus;
  }

  /** @return the outcome of an attempt whose connection could not be established */
  public static AttemptOutcome connectFailure() {
    return CONNECT_FAILURE;
  }

  /** @return the outcome of an attempt whose connection was reset before a full response */
  public static AttemptOutcome reset() {
    return RESET;
  }

  /** @return the outcome of an attempt that timed out */
  public static AttemptOutcome timeout() {
    return TIMEOUT;
  }

  /**
   * @param code the HTTP status of the upstream's response, 100 to 999
   * @return the outcome of an attempt that got a response
   */
  public static AttemptOutcome status(int code) {
    if (code < 100 || code > 999) {
      throw new IllegalArgumentException("not an HTTP status code: " + code);
    }
    return RESPONSES[code];
  }

  /**
   * @param code the HTTP status of the upstream's response, 100 to 999
   * @param grpcStatus the gRPC call's status (from a trailers-only head or the trailers), or -1 when
   *     none was seen
   * @return the outcome of a gRPC call's attempt that got a response
   */
  public static AttemptOutcome grpc(int code, int grpcStatus) {
    AttemptOutcome http = status(code);
    return grpcStatus < 0 ? http : new AttemptOutcome(Kind.RESPONSE, code, grpcStatus);
  }

  /** @return the kind of ending */
  public Kind kind() {
    return kind;
  }

  /**
   * @param conditions a condition set such as a breaker's {@code failOn} or a policy's {@code
   *     retryOn}
   * @return whether this outcome is in the set: a response iff its status matches, any other kind
   *     iff the set names it
   */
  public boolean isFailure(FailureConditions conditions) {
    return switch (kind) {
      case CONNECT_FAILURE -> conditions.connectFailure();
      case RESET -> conditions.reset();
      case TIMEOUT -> conditions.timeout();
      case RESPONSE -> conditions.matchesStatus(status) || (grpcStatus > 0 && conditions.matchesGrpcStatus(grpcStatus));
    };
  }

  /** @return whether a response status arrived */
  public boolean isResponse() {
    return kind == Kind.RESPONSE;
  }

  /** @return the response status, or 0 when no response arrived */
  public int status() {
    return status;
  }

  /** @return the gRPC status of the response, or -1 when none was seen */
  public int grpcStatus() {
    return grpcStatus;
  }

  /**
   * @return a label for metrics and logs: {@code connect_failure}, {@code reset}, {@code timeout},
   *     the status code such as {@code 503}, or for a gRPC status other than OK its name such as
   *     {@code unavailable}
   */
  public String reason() {
    return switch (kind) {
      case CONNECT_FAILURE -> "connect_failure";
      case RESET -> "reset";
      case TIMEOUT -> "timeout";
      case RESPONSE -> grpcStatus > 0 && GrpcCodes.name(grpcStatus) != null ? GrpcCodes.name(grpcStatus)
          : Integer.toString(status);
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AttemptOutcome other && kind == other.kind && status == other.status
        && grpcStatus == other.grpcStatus;
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, status, grpcStatus);
  }

  @Override
  public String toString() {
    return "AttemptOutcome[" + reason() + "]";
  }
}
