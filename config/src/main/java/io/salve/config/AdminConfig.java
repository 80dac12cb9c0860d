package io.salve.config;

import java.util.List;

/**
 * The admin server: health, readiness, metrics, state.
 *
 * @param address where it listens (default 127.0.0.1:9901)
 * @param readyWhenHealthy upstreams that must each have a healthy endpoint for /ready to be 200
 * @param allowNonLoopback must be true to bind the admin server to a non-loopback address
 */
public record AdminConfig(HostPort address, List<String> readyWhenHealthy, boolean allowNonLoopback) {
  public AdminConfig {
    readyWhenHealthy = List.copyOf(readyWhenHealthy);
  }
}
