package io.salve.proxy.coord;

import io.salve.config.CoordinationConfig;
import io.salve.config.UpstreamConfig;
import io.salve.proxy.upstream.EndpointSource;
import io.salve.proxy.upstream.Upstreams;
import io.salve.proxy.util.Ticker;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Registration and discovery on one {@link EtcdSession}: the {@code coordination.registration} of
 * this instance, if configured, and one {@link EtcdDiscovery} per upstream with {@code
 * discovery.etcd}.
 */
final class EtcdServices implements AutoCloseable {
  private final EtcdRegistration registration;
  private final Map<String, EtcdDiscovery> discoveries = new LinkedHashMap<>();

  EtcdServices(EtcdSession session, CoordinationConfig config, Iterable<UpstreamConfig> upstreamConfigs, Upstreams upstreams) {
    CoordinationConfig.RegistrationConfig r = config.registration();
    this.registration =
        r == null
            ? null
            : new EtcdRegistration(
                session,
                r,
                config.identity(),
                UpstreamHealthGate.of(upstreams, r.whenHealthy()),
                Ticker.system(),
                Clock.systemUTC());
    for (UpstreamConfig u : upstreamConfigs) {
      if (u.discovery() != null) {
        discoveries.put(
            u.name(), new EtcdDiscovery(session, u.name(), u.discovery().etcdService(), Ticker.system(), Clock.systemUTC()));
      }
    }
  }

  /** @return the discovery of each upstream that has one, by upstream name; started when attached. */
  Map<String, EndpointSource> sources() {
    return Collections.unmodifiableMap(discoveries);
  }

  /** Starts registering (discoveries start when their upstream attaches them). */
  void start() {
    if (registration != null) {
      registration.start();
    }
  }

  /** Stops registering and revokes the registration; completes when etcd answered or gave up. */
  CompletableFuture<Void> stop() {
    return registration == null ? CompletableFuture.completedFuture(null) : registration.stop();
  }

  /** Adds {@code registration} to the {@code coordination} part of {@code /admin/state}. */
  void describeInto(Map<String, Object> coordination) {
    if (registration != null) {
      coordination.put("registration", registration.describe());
    }
  }

  @Override
  public void close() {
    discoveries.values().forEach(EtcdDiscovery::close);
  }
}
