package io.salve.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/** Binds how an upstream judges its endpoints: circuit breaker, outlier detection, active health checks. */
final class EndpointHealthBinder {
  static final List<String> CIRCUIT_BREAKER_KEYS = List.of(
      "failureThreshold", "successThreshold", "openDuration", "halfOpenMaxRequests", "failureRate", "failOn");
  static final List<String> FAILURE_RATE_KEYS = List.of("threshold", "minimumRequests", "window");
  static final List<String> OUTLIER_KEYS =
      List.of("consecutiveFailures", "baseEjectionTime", "maxEjectionTime", "maxEjectionPercent");
  static final List<String> HEALTH_CHECK_KEYS = List.of("type", "path", "interval", "timeout",
      "unhealthyThreshold", "healthyThreshold", "panicThreshold", "expectedStatus", "grpc");
  static final List<String> GRPC_KEYS = List.of("service");
  /** Also gRPC's server-side failures (unknown, deadline-exceeded, resource-exhausted, internal, unavailable, data-loss). */
  static final FailureConditions DEFAULT_FAIL_ON = Outcomes.of("connect-failure", "reset", "timeout", "5xx",
      "unknown", "deadline-exceeded", "resource-exhausted", "internal", "unavailable", "data-loss");
  static final HealthCheckConfig.StatusRange DEFAULT_EXPECTED_STATUS =
      new HealthCheckConfig.StatusRange(200, 399);

  private static final Map<String, HealthCheckConfig.ProbeType> PROBE_TYPES =
      Nodes.choices(HealthCheckConfig.ProbeType.values(), t -> t.name().toLowerCase(java.util.Locale.ROOT));
  private static final Pattern STATUS_RANGE = Pattern.compile("([1-5]\\d\\d)(?:\\s*-\\s*([1-5]\\d\\d))?");
  private static final int MAX = Integer.MAX_VALUE;

  private final Nodes nodes;
  private final RetryBinder retries;

  EndpointHealthBinder(Nodes nodes, RetryBinder retries) {
    this.nodes = nodes;
    this.retries = retries;
  }

  /** @return the breaker, or null when the section is absent. */
  CircuitBreakerConfig circuitBreaker(Section cb) {
    if (cb == null) {
      return null;
    }
    return new CircuitBreakerConfig(
        cb.integer("failureThreshold", 3, 1, MAX),
        cb.integer("successThreshold", 2, 1, MAX),
        cb.duration("openDuration", Duration.ofSeconds(30), Nodes.POSITIVE),
        cb.integer("halfOpenMaxRequests", 1, 1, MAX),
        failureRate(
            cb.section("failureRate", "a map of threshold, minimumRequests, window", FAILURE_RATE_KEYS)),
        retries.outcomes(cb, "failOn", DEFAULT_FAIL_ON));
  }

  private FailureRateConfig failureRate(Section rate) {
    if (rate == null) {
      return null;
    }
    Double threshold = rate.required("threshold", "a fraction from 0.0 to 1.0", nodes::fraction);
    return new FailureRateConfig(
        threshold == null ? 0.5 : threshold,
        rate.integer("minimumRequests", 20, 1, MAX),
        rate.duration("window", Duration.ofSeconds(30), Nodes.POSITIVE));
  }

  /** @return outlier detection, or null when the section is absent. */
  OutlierDetectionConfig outlierDetection(Section od) {
    if (od == null) {
      return null;
    }
    Duration base = od.duration("baseEjectionTime", Duration.ofSeconds(30), Nodes.POSITIVE);
    Duration max = od.duration("maxEjectionTime", Duration.ofSeconds(300), Nodes.POSITIVE);
    od.requireOrdered("baseEjectionTime", base, "maxEjectionTime", max, Durations::format);
    return new OutlierDetectionConfig(
        od.integer("consecutiveFailures", 5, 1, MAX), base, max, od.integer("maxEjectionPercent", 10, 0, 100));
  }

  /** @return active health checks, or null when the section is absent. */
  HealthCheckConfig healthCheck(Section hc) {
    if (hc == null) {
      return null;
    }
    Section grpc = hc.section("grpc", "a map like {service: \"\"}", GRPC_KEYS);
    HealthCheckConfig.ProbeType type = hc.choice("type", grpc != null ? HealthCheckConfig.ProbeType.GRPC
        : HealthCheckConfig.ProbeType.HTTP, PROBE_TYPES);
    if (grpc != null && type != null && type != HealthCheckConfig.ProbeType.GRPC) {
      nodes.report(hc.get("grpc"), hc.path("grpc") + ": a grpc probe cannot be of type "
          + type.name().toLowerCase(java.util.Locale.ROOT) + " (expected: no type, or type: grpc)");
    }
    String service = null;
    if (type == HealthCheckConfig.ProbeType.GRPC) {
      service = grpc == null ? "" : grpc.value("service", "", (n, p) -> nodes.text(n, p, "a service name, \"\" for the whole server"));
    }
    return new HealthCheckConfig(
        type,
        hc.value("path", "/healthz", nodes::path),
        hc.duration("interval", Duration.ofSeconds(5), Nodes.POSITIVE),
        hc.duration("timeout", Duration.ofSeconds(1), Nodes.POSITIVE),
        hc.integer("unhealthyThreshold", 3, 1, MAX),
        hc.integer("healthyThreshold", 2, 1, MAX),
        hc.fraction("panicThreshold", 0.5),
        hc.value("expectedStatus", DEFAULT_EXPECTED_STATUS, this::statusRange),
        service);
  }

  private HealthCheckConfig.StatusRange statusRange(Node node, String path) {
    String expected = "a status like 204 or a range like 200-399, within 100..599";
    String text = nodes.text(node, path, expected);
    if (text == null) {
      return null;
    }
    Matcher m = STATUS_RANGE.matcher(text.trim());
    if (m.matches()) {
      int low = Integer.parseInt(m.group(1));
      int high = m.group(2) == null ? low : Integer.parseInt(m.group(2));
      if (low <= high) {
        return new HealthCheckConfig.StatusRange(low, high);
      }
    }
    nodes.invalid(node, path, expected);
    return null;
  }
}
