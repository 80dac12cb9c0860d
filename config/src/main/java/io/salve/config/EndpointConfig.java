package io.salve.config;

/**
 * A static endpoint.
 *
 * @param address host and port
 * @param weight relative weight, at least 1 (default 1)
 */
public record EndpointConfig(HostPort address, int weight) {}
