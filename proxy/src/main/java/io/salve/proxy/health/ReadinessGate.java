package io.salve.proxy.health;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Whether the sidecar is ready: every upstream the application requires must have at least one
 * healthy endpoint.
 */
public final class ReadinessGate {

  private ReadinessGate() {}

  /**
   * The reason the sidecar is not ready, if any.
   *
   * @param healthyEndpointsByRequiredUpstream for each required upstream, its number of healthy
   *     endpoints; a null count counts as 0
   * @return empty when every listed upstream has at least one healthy endpoint (in particular when
   *     none is listed); otherwise one clause per failing upstream, sorted by name and joined by
   *     {@code "; "}, e.g. {@code upstream 'app' has no healthy endpoint; upstream 'db' has no
   *     healthy endpoint}
   */
  public static Optional<String> notReadyReason(
      Map<String, Integer> healthyEndpointsByRequiredUpstream) {
    List<String> failing = new ArrayList<>();
    healthyEndpointsByRequiredUpstream.forEach(
        (upstream, healthy) -> {
          if (healthy == null || healthy < 1) {
            failing.add(upstream);
          }
        });
    if (failing.isEmpty()) {
      return Optional.empty();
    }
    // Sorted so probes, logs and tests see the same text whatever the map's iteration order.
    failing.sort(null);
    return Optional.of(
        failing.stream()
            .map(upstream -> "upstream '" + upstream + "' has no healthy endpoint")
            .collect(Collectors.joining("; ")));
  }
}
