package io.salve.proxy.forward;

/**
 * What happened to one request, for metrics and the access log. Built once when the exchange ends.
 *
 * @param epochMillis wall-clock start time
 * @param status the status sent to the client, or 499 when the client went away first
 * @param error salve's error reason, or null
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
    String error) {}
