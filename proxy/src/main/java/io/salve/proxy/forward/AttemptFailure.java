package io.salve.proxy.forward;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.salve.config.GrpcCodes;
import io.salve.proxy.resilience.AttemptOutcome;

/** How an attempt failed, and what the client hears when it is the last word. */
enum AttemptFailure {
  CONNECT(HttpResponseStatus.BAD_GATEWAY, "upstream_connect_failure", "could not connect to upstream", "connect_failure"),
  /** The TLS handshake failed: nothing was sent; judged as a connect failure. */
  TLS(HttpResponseStatus.BAD_GATEWAY, "upstream_tls_error", "the TLS handshake with the upstream failed", "tls_error"),
  POOL_EXHAUSTED(HttpResponseStatus.SERVICE_UNAVAILABLE, "overloaded", "no upstream connection became free in time", "pool_exhausted"),
  /**
   * The upstream did not process the stream (HTTP/2 REFUSED_STREAM, or above a GOAWAY's last stream
   * id): judged as a connect failure, so it is retried whatever the method.
   */
  REFUSED(HttpResponseStatus.BAD_GATEWAY, "upstream_refused", "upstream refused the stream without processing it", "refused"),
  RESET(HttpResponseStatus.BAD_GATEWAY, "upstream_reset", "upstream closed the connection before a full response", "reset"),
  TIMEOUT(HttpResponseStatus.GATEWAY_TIMEOUT, "upstream_timeout", "upstream did not answer in time", "timeout"),
  PROTOCOL(HttpResponseStatus.BAD_GATEWAY, "upstream_protocol_error", "upstream sent a malformed response", "protocol_error");

  /** The attempt outcome label of a response, by its status code's first digit (codes are 100-999). */
  private static final String[] STATUS_CLASSES = {"0xx", "1xx", "2xx", "3xx", "4xx", "5xx", "6xx", "7xx", "8xx", "9xx"};

  final HttpResponseStatus status;
  final String reason;
  final String message;
  final String outcome;

  AttemptFailure(HttpResponseStatus status, String reason, String message, String outcome) {
    this.status = status;
    this.reason = reason;
    this.message = message;
    this.outcome = outcome;
  }

  /** @return the attempt outcome label of an answer with status {@code code}, such as {@code 2xx}. */
  static String statusClass(int code) {
    return STATUS_CLASSES[code / 100];
  }

  /**
   * @param grpcStatus a gRPC call's status, or -1
   * @return the attempt outcome label of an answer: {@code grpc_unavailable} and the like for a gRPC
   *     status other than OK, else the status class such as {@code 2xx}
   */
  static String label(int code, int grpcStatus) {
    String name = GrpcCodes.name(grpcStatus);
    return name == null ? statusClass(code) : "grpc_" + name.replace('-', '_');
  }

  /** @return the outcome the breaker, outliers and retries judge, or null for local overload. */
  AttemptOutcome attemptOutcome() {
    switch (this) {
      case CONNECT:
      case TLS:
      case REFUSED:
        return AttemptOutcome.connectFailure();
      case RESET:
      case PROTOCOL:
        return AttemptOutcome.reset();
      case TIMEOUT:
        return AttemptOutcome.timeout();
      default:
        return null;
    }
  }
}
