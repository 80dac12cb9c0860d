package io.salve.config;

/**
 * The JSON access log, one line per request.
 *
 * @param enabled whether to write it (default true)
 */
public record AccessLogConfig(boolean enabled) {}
