package io.salve.proxy.coord;

import io.salve.config.CoordinationConfig;
import io.salve.config.SalveConfig;
import io.salve.proxy.admin.AdminRoute;
import io.salve.proxy.upstream.EndpointSource;
import io.salve.proxy.upstream.Upstreams;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@link Coordination} on etcd: one {@link EtcdSession} shared by the election and registration. */
final class EtcdCoordination implements Coordination {
  private final CoordinationConfig config;
  private final EtcdSession session;
  private final List<CoordinationListener> listeners = new CopyOnWriteArrayList<>();
  private final EtcdServices services;

  EtcdCoordination(SalveConfig salve, Upstreams upstreams) {
    this.config = salve.coordination();
    this.session = new EtcdSession(config.etcd());
    this.services = new EtcdServices(session, config, salve.upstreams().values(), upstreams);
  }

  @Override
  public Map<String, EndpointSource> endpointSources() {
    return services.sources();
  }

  @Override
  public void addListener(CoordinationListener listener) {
    listeners.add(listener);
    session.addListener(listener);
  }

  @Override
  public void start() {
    session.start();
    services.start();
  }

  @Override
  public List<AdminRoute> adminRoutes() {
    return new ArrayList<>();
  }

  @Override
  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("identity", config.identity());
    m.put("etcd", session.describe());
    services.describeInto(m);
    return m;
  }

  @Override
  public void stepDown(Duration max) {
    try {
      services.stop().get(max.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // Revocation is best effort: an unrevoked registration expires after its ttl.
    }
  }

  @Override
  public void close() {
    services.close();
    session.close();
  }
}
