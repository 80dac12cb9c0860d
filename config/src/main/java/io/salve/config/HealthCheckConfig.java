package io.salve.config;

import java.time.Duration;

/**
 * Active health probes of an upstream's endpoints.
 *
 * @param type http, tcp or grpc (default http; grpc when a {@code grpc} section is written)
 * @param path probe path for http (default /healthz)
 * @param interval time between probes, plus up to 10% jitter (default 5s)
 * @param timeout per probe (default 1s)
 * @param unhealthyThreshold consecutive failures that mark unhealthy (default 3)
 * @param healthyThreshold consecutive successes that mark healthy (default 2)
 * @param panicThreshold below this healthy share, balance over all endpoints; 0 disables (default 0.5)
 * @param expectedStatus statuses that pass, as a range {@code [low, high]} (default 200-399)
 * @param grpcService for grpc probes, the service asked about in {@code grpc.health.v1.Health/Check}
 *     ({@code ""}: the server as a whole); null for other types
 */
public record HealthCheckConfig(
    ProbeType type,
    String path,
    Duration interval,
    Duration timeout,
    int unhealthyThreshold,
    int healthyThreshold,
    double panicThreshold,
    StatusRange expectedStatus,
    String grpcService) {

  /** A probe of a type other than grpc. */
  public HealthCheckConfig(
      ProbeType type, String path, Duration interval, Duration timeout, int unhealthyThreshold,
      int healthyThreshold, double panicThreshold, StatusRange expectedStatus) {
    this(type, path, interval, timeout, unhealthyThreshold, healthyThreshold, panicThreshold, expectedStatus, null);
  }

  /** The kind of probe. */
  public enum ProbeType {
    HTTP,
    TCP,
    /** The gRPC health checking protocol over h2c: {@code grpc.health.v1.Health/Check}. */
    GRPC
  }

  /** An inclusive status range, e.g. 200-399. */
  public record StatusRange(int low, int high) {
    /** @return whether status is within the range. */
    public boolean contains(int status) {
      return status >= low && status <= high;
    }
  }
}
