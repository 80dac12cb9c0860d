package io.salve.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The whole, validated configuration of one salve process. Immutable; a hot reload builds a new one.
 *
 * @param admin the admin server
 * @param listeners listeners in file order
 * @param upstreams upstreams by name, in file order
 * @param loadShedding load shedding; defaults apply when the section is absent
 * @param coordination etcd coordination, or {@code null} when the section is absent
 * @param accessLog the JSON access log
 * @param drainTimeout how long a graceful shutdown waits for in-flight requests (default 15s)
 * @param reload hot reload of the configuration file
 */
public record SalveConfig(
    AdminConfig admin,
    List<ListenerConfig> listeners,
    Map<String, UpstreamConfig> upstreams,
    LoadSheddingConfig loadShedding,
    CoordinationConfig coordination,
    AccessLogConfig accessLog,
    Duration drainTimeout,
    ReloadConfig reload) {
  public SalveConfig {
    listeners = List.copyOf(listeners);
    upstreams = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(upstreams));
  }
}
