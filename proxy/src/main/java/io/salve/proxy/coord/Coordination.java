package io.salve.proxy.coord;

import io.salve.config.SalveConfig;
import io.salve.proxy.upstream.EndpointSource;
import io.salve.proxy.upstream.Upstreams;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code coordination} section at run time. This interface names no etcd or gRPC type on
 * purpose: salve holds it in a field, and only {@link #create} (called only when the section is
 * configured) loads the implementation and with it jetcd.
 *
 * <p>Lifecycle: {@link #create}, {@link #start()} (after health checks start), {@link
 * #stepDown(Duration)} on shutdown before draining (resign, revoke), then {@link #close()}.
 */
public interface Coordination extends AutoCloseable {

  /** @return the running coordination of {@code config}, which must have a coordination section. */
  static Coordination create(SalveConfig config, Upstreams upstreams) {
    return new EtcdCoordination(config, upstreams);
  }

  /** Adds a listener (metrics); add them before {@link #start()}. */
  void addListener(CoordinationListener listener);

  /** Starts connecting to etcd and the configured election; never blocks, never fails on etcd. */
  void start();

  /**
   * @return the etcd discovery of each upstream with {@code discovery.etcd}, by upstream name; each
   *     starts when attached to its upstream and is closed with this object
   */
  Map<String, EndpointSource> endpointSources();

  /** @return the election's board when an election is configured (admin serves it as {@code GET /leader}). */
  Optional<LeaderBoard> leaderBoard();

  /** @return the {@code coordination} section of {@code /admin/state}. */
  Map<String, Object> describe();

  /**
   * Gives up what this instance holds in etcd (resigns leadership, revokes leases) and stops
   * campaigning; waits at most {@code max}. Called on shutdown before draining, off any event loop.
   */
  void stepDown(Duration max);

  /** Releases the etcd client and the coordination thread. */
  @Override
  void close();
}
