package io.salve.config;

import java.time.Duration;

/**
 * Active health probes of an upstream's endpoints.
 *
 * @param type http or tcp (default http)
 * @param path probe path for http (default /healthz)
 * @param interval time between probes, plus up to 10% jitter (default 5s)
 * @param timeout per probe (default 1s)
 * @param unhealthyThreshold consecutive failures that mark unhealthy (default 3)
 * @param healthyThreshold consecutive successes that mark healthy (default 2)
 * @param panicThreshold below this healthy share, balance over all endpoints; 0 disables (default 0.5)
 * @param expectedStatus statuses that pass, as a range {@code [low, high]} (default 200-399)
 */
public record HealthCheckConfig(
    ProbeType type,
    String path,
    Duration interval,
    Duration timeout,
    int unhealthyThreshold,
    int healthyThreshold,
    double panicThreshold,
    StatusRange expectedStatus) {

  /** The kind of probe. */
  public enum ProbeType {
    HTTP,
    TCP
  }

  /** An inclusive status range, e.g. 200-399. */
  public record StatusRange(int low, int high) {
    /** @return whether status is within the range. */
    public boolean contains(int status) {
      return status >= low && status <= high;
    }
  }
}
