package io.salve.proxy.health;

import io.salve.proxy.upstream.EndpointHealth;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The health part of one endpoint's entry in {@code /admin/state}. */
public final class EndpointDescription {

  private EndpointDescription() {}

  /**
   * @param health the endpoint's probe state, or null when it is not probed
   * @param healthy whether the endpoint is healthy now (true for an unprobed endpoint)
   * @param nowNanos the current reading of the ticker {@code health} was recorded with
   * @return {@code healthy}; {@code lastProbe}, milliseconds since the last probe result or null
   *     when none was recorded; {@code consecutiveFailures}
   */
  public static Map<String, Object> describe(EndpointHealth health, boolean healthy, long nowNanos) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("healthy", healthy);
    if (health == null || health.lastResult() == null) {
      m.put("lastProbe", null);
    } else {
      long ago = Math.max(0L, nowNanos - health.lastProbeNanos());
      m.put("lastProbe", TimeUnit.NANOSECONDS.toMillis(ago));
    }
    m.put("consecutiveFailures", health == null ? 0 : health.consecutiveFailures());
    return m;
  }
}
