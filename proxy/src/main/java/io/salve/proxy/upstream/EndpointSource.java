package io.salve.proxy.upstream;

import io.salve.config.HostPort;
import java.util.List;
import java.util.Map;

/**
 * A live supplier of some of an upstream's endpoints from outside the configuration, such as the
 * registrations of a service in etcd. Its endpoints are merged with the static and leased ones and
 * are probed, ejected and balanced like them.
 *
 * <p>The upstream package knows sources only through this interface, so it never depends on how a
 * source learns its endpoints.
 */
public interface EndpointSource extends AutoCloseable {

  /** Receives complete endpoint sets. */
  interface Sink {
    /**
     * @param endpoints the source's complete current set (not a delta); may be called from any
     *     thread, one call at a time, and must not block
     */
    void accept(List<HostPort> endpoints);
  }

  /** @return the name the source's endpoints are kept under in the upstream, e.g. {@code "etcd"} */
  String name();

  /** Starts delivering endpoint sets to {@code sink}; the first may come later, or never. */
  void start(Sink sink);

  /**
   * @return why the source has supplied no endpoint, for logs and the 503 message (e.g. "waiting for
   *     the first sync of etcd service 'catalog'"); null when it supplies some
   */
  String emptyReason();

  /** @return how many endpoints the source supplies now (its last known set). */
  int size();

  /**
   * @return seconds since the source's set was last known to be current; 0 while it is (it keeps
   *     serving its last known set meanwhile)
   */
  double staleSeconds();

  /** @return the source's part of its upstream's {@code /admin/state} entry. */
  Map<String, Object> describe();

  /** Stops delivering; the endpoints last delivered stay until replaced. */
  @Override
  void close();
}
