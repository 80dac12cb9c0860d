package io.salve.config;

import java.util.List;

/**
 * The admin server: health, readiness, metrics, state.
 *
 * @param address where it listens (default 127.0.0.1:9901)
 * @param readyWhenHealthy upstreams that must each have a healthy endpoint for /ready to be 200
 * @param allowNonLoopback must be true to bind the admin server to a non-loopback address
 * @param probes the probe and metrics port, or {@code null} when there is none (the default)
 */
public record AdminConfig(
    HostPort address, List<String> readyWhenHealthy, boolean allowNonLoopback, ProbesConfig probes) {
  public AdminConfig {
    readyWhenHealthy = List.copyOf(readyWhenHealthy);
  }

  /** An admin server without a probe port. */
  public AdminConfig(HostPort address, List<String> readyWhenHealthy, boolean allowNonLoopback) {
    this(address, readyWhenHealthy, allowNonLoopback, null);
  }

  /**
   * A second admin listener that serves only {@code GET /live}, {@code /ready} and {@code /metrics}, for
   * kubelet probes and Prometheus scrapes from outside the pod. It may listen on any address: nothing it
   * serves changes salve or reveals its configuration.
   *
   * @param address where it listens
   */
  public record ProbesConfig(HostPort address) {}
}
