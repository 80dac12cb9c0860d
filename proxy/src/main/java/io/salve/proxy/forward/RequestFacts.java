package io.salve.proxy.forward;

import io.netty.handler.codec.http.HttpVersion;

/**
 * What the exchange needs to know about the client's request beyond its head, fixed on arrival.
 *
 * @param path the normalized path (without query), as logged
 * @param hasBody whether the request declares a body (chunked, or a Content-Length above 0)
 * @param maxRequestBody the body limit in bytes for this route, or -1 for none
 * @param protocol the client's protocol as logged ({@code HTTP/1.1}, {@code HTTP/2.0})
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
    String protocol) {}
