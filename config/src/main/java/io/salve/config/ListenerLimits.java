package io.salve.config;

import java.time.Duration;

/**
 * Limits and client-side timeouts of a listener (keys directly under the listener).
 *
 * @param maxInitialLineLength request line limit in bytes, 414 beyond (default 8KiB)
 * @param maxHeaderSize total header bytes, 431 beyond (default 32KiB)
 * @param maxHeaderCount header field count, 431 beyond (default 100)
 * @param maxRequestBody body limit in bytes, 413 beyond; -1 = unlimited (default)
 * @param requestHeaderTimeout deadline to receive a full request head, 408 beyond (default 10s)
 * @param idleTimeout keep-alive idle timeout of client connections (default 60s)
 */
public record ListenerLimits(
    int maxInitialLineLength,
    int maxHeaderSize,
    int maxHeaderCount,
    long maxRequestBody,
    java.time.Duration requestHeaderTimeout,
    Duration idleTimeout) {}
