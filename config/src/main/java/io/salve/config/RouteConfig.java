package io.salve.config;

import java.time.Duration;
import java.util.Set;

/**
 * One route of a listener.
 *
 * @param name route name (default: {@code route-N}, N its 0-based index)
 * @param match what requests it takes
 * @param upstream the upstream it forwards to (validated to exist)
 * @param criticality shedding tier (default normal)
 * @param timeout whole-request deadline, all attempts included, or null for none
 * @param retry the route's retry policy, or null to use the upstream's
 * @param maxRequestBody body limit in bytes for this route, or -1 to use the listener's
 * @param upgrades the HTTP/1.1 upgrade tokens forwarded (lower case, default {@code [websocket]});
 *     a request offering any other token is served as plain HTTP with {@code Upgrade} stripped
 * @param upgradeIdleTimeout how long an upgraded tunnel may stay silent both ways (default 1h)
 */
public record RouteConfig(
    String name,
    RouteMatch match,
    String upstream,
    Criticality criticality,
    Duration timeout,
    RetryConfig retry,
    long maxRequestBody,
    Set<String> upgrades,
    Duration upgradeIdleTimeout) {
  /** The tokens a route forwards when it lists none. */
  public static final Set<String> DEFAULT_UPGRADES = Set.of("websocket");

  /** The idle timeout of an upgraded tunnel when the route sets none. */
  public static final Duration DEFAULT_UPGRADE_IDLE_TIMEOUT = Duration.ofHours(1);

  public RouteConfig {
    upgrades = Set.copyOf(upgrades);
  }

  /** A route with the default upgrade settings. */
  public RouteConfig(
      String name, RouteMatch match, String upstream, Criticality criticality, Duration timeout,
      RetryConfig retry, long maxRequestBody) {
    this(name, match, upstream, criticality, timeout, retry, maxRequestBody, DEFAULT_UPGRADES,
        DEFAULT_UPGRADE_IDLE_TIMEOUT);
  }
}
