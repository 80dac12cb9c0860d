package io.salve.proxy.upstream;

import io.salve.config.HostPort;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One endpoint of an upstream: where to connect, its weight, and the live counters that load
 * balancing and the pool read. Health and ejection live in their own objects and are consulted by
 * {@link Upstream}.
 */
public final class Endpoint {
  private final String upstream;
  private final HostPort address;
  private final String key;
  private final int weight;
  private final InetSocketAddress socketAddress;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger openConnections = new AtomicInteger();
  private final AtomicInteger idleConnections = new AtomicInteger();
  private final AtomicInteger openStreams = new AtomicInteger();
  private volatile EndpointHealth health;

  public Endpoint(String upstream, HostPort address, int weight) {
    this.upstream = upstream;
    this.address = address;
    this.key = address.toString();
    this.weight = weight;
    // Unresolved: the bootstrap's asynchronous resolver looks the name up on the event loop.
    this.socketAddress = InetSocketAddress.createUnresolved(address.host(), address.port());
  }

  public String upstream() {
    return upstream;
  }

  public HostPort address() {
    return address;
  }

  /** @return {@code host:port}, the endpoint's identity in metrics, logs and the admin API. */
  public String key() {
    return key;
  }

  public int weight() {
    return weight;
  }

  public InetSocketAddress socketAddress() {
    return socketAddress;
  }

  /** @return requests currently sent to this endpoint and not yet answered. */
  public AtomicInteger inFlight() {
    return inFlight;
  }

  /** @return open upstream connections, in use or idle, over all event loops. */
  public AtomicInteger openConnections() {
    return openConnections;
  }

  /** @return idle pooled connections over all event loops. */
  public AtomicInteger idleConnections() {
    return idleConnections;
  }

  /** @return open HTTP/2 streams over all event loops (always 0 for an HTTP/1.1 upstream). */
  public AtomicInteger openStreams() {
    return openStreams;
  }

  /** @return the active-probe health of this endpoint, or null when it is not probed. */
  public EndpointHealth health() {
    return health;
  }

  /** Attaches active-probe health; set once by the health checker before probing starts. */
  public void health(EndpointHealth h) {
    this.health = h;
  }

  /** @return false only when active probes marked the endpoint unhealthy. */
  public boolean isHealthy() {
    EndpointHealth h = health;
    return h == null || h.healthy();
  }

  @Override
  public String toString() {
    return upstream + "/" + key;
  }
}
