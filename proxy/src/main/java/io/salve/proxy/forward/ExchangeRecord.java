package io.salve.proxy.forward;

/**
 * What happened to one request, for metrics and the access log. Built once when the exchange ends.
 *
 * @param epochMillis wall-clock start time
 * @param status the status sent to the client, or 499 when the client went away first
 * @param error salve's error reason, or null
 * @param protocol the client's protocol: {@code HTTP/1.1}, {@code HTTP/1.0} or {@code HTTP/2.0}
 * @param grpcStatus the grpc-status the client got for a gRPC call (from the upstream's headers or
 *     trailers, or salve's own answer), or -1 (not a gRPC call, or no status seen)
 */
public record ExchangeRecord(
    long epochMillis,
    String requestId,
    String client,
    String method,
    String path,
    String listener,
    String route,
    String upstream,
    String endpoint,
    int status,
    long durationNanos,
    long bytesIn,
    long bytesOut,
    int attempts,
    String error,
    String protocol,
    int grpcStatus) {

  /** A record without a gRPC status. */
  public ExchangeRecord(
      long epochMillis, String requestId, String client, String method, String path, String listener, String route,
      String upstream, String endpoint, int status, long durationNanos, long bytesIn, long bytesOut, int attempts,
      String error, String protocol) {
    this(epochMillis, requestId, client, method, path, listener, route, upstream, endpoint, status, durationNanos,
        bytesIn, bytesOut, attempts, error, protocol, -1);
  }

  /** A record of an HTTP/1.1 request without a gRPC status. */
  public ExchangeRecord(
      long epochMillis, String requestId, String client, String method, String path, String listener, String route,
      String upstream, String endpoint, int status, long durationNanos, long bytesIn, long bytesOut, int attempts,
      String error) {
    this(epochMillis, requestId, client, method, path, listener, route, upstream, endpoint, status, durationNanos,
        bytesIn, bytesOut, attempts, error, "HTTP/1.1", -1);
  }
}
