package io.salve.proxy.coord;

import io.salve.config.CoordinationConfig;
import io.salve.config.SalveConfig;
import io.salve.proxy.admin.AdminRoute;
import io.salve.proxy.upstream.Upstreams;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** {@link Coordination} on etcd: one {@link EtcdSession} shared by the election and registration. */
final class EtcdCoordination implements Coordination {
  private final CoordinationConfig config;
  private final EtcdSession session;
  private final List<CoordinationListener> listeners = new CopyOnWriteArrayList<>();

  EtcdCoordination(SalveConfig salve, Upstreams upstreams) {
    this.config = salve.coordination();
    this.session = new EtcdSession(config.etcd());
  }

  @Override
  public void addListener(CoordinationListener listener) {
    listeners.add(listener);
    session.addListener(listener);
  }

  @Override
  public void start() {
    session.start();
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
    return m;
  }

  @Override
  public void stepDown(Duration max) {}

  @Override
  public void close() {
    session.close();
  }
}
