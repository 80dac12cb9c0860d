package io.salve.proxy.forward;

import io.netty.handler.codec.http.HttpVersion;
import io.salve.proxy.grpc.GrpcCall;
import java.time.Duration;

/**
 * What the exchange needs to know about the client's request beyond its head, fixed on arrival.
 *
 * @param path the normalized path (without query), as logged
 * @param hasBody whether the request declares a body (chunked, or a Content-Length above 0)
 * @param maxRequestBody the body limit in bytes for this route, or -1 for none
 * @param protocol the client's protocol as logged ({@code HTTP/1.1}, {@code HTTP/2.0})
 * @param grpc the gRPC call this request is, or null when it is not one
 */
record RequestFacts(
    String method,
    String path,
    String requestId,
    String client,
    long epochMillis,
    long startNanos,
    HttpVersion clientVersion,
    boolean clientKeepAlive,
    boolean isHead,
    boolean hasBody,
    long maxRequestBody,
    String protocol,
    GrpcCall grpc) {

  /**
   * @param routeTimeout the route's timeout, or null for none
   * @return the exchange's time budget in nanoseconds from its start, or -1 for none: the route's
   *     timeout, or for a gRPC call the shorter of it and the client's grpc-timeout
   */
  long deadlineNanos(Duration routeTimeout) {
    long route = routeTimeout == null ? -1 : routeTimeout.toNanos();
    return grpc == null ? route : grpc.effectiveTimeoutNanos(route);
  }
}
