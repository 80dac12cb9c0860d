package io.salve.proxy.forward;

import io.salve.config.Cidr;
import io.salve.config.ListenerConfig;
import io.salve.config.ListenerLimits;
import io.salve.proxy.route.Router;
import io.salve.proxy.upstream.Upstreams;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.function.BooleanSupplier;

/** What every connection of one listener shares: routes, limits, upstreams and observers. */
public final class ListenerContext {
  private final ListenerConfig config;
  private final Router router;
  private final Upstreams upstreams;
  private final ExchangeObserver observer;
  private final BooleanSupplier draining;
  private final AdmissionControl admission;

  public ListenerContext(
      ListenerConfig config,
      Upstreams upstreams,
      ExchangeObserver observer,
      BooleanSupplier draining,
      AdmissionControl admission) {
    this.config = config;
    this.admission = admission;
    this.router = new Router(config);
    this.upstreams = upstreams;
    this.observer = observer;
    this.draining = draining;
  }

  public String name() {
    return config.name();
  }

  public ListenerLimits limits() {
    return config.limits();
  }

  public Router router() {
    return router;
  }

  public Upstreams upstreams() {
    return upstreams;
  }

  public ExchangeObserver observer() {
    return observer;
  }

  /** @return who decides whether a routed request is shed. */
  public AdmissionControl admission() {
    return admission;
  }

  /**
   * @return whether the server is shutting down or a reload removed the listener: responses then
   *     close their connections
   */
  public boolean draining() {
    return draining.getAsBoolean();
  }

  /** @return whether the peer is one of the listener's trusted proxies. */
  public boolean isTrusted(SocketAddress peer) {
    List<Cidr> trusted = config.trustedProxies();
    if (trusted.isEmpty() || !(peer instanceof InetSocketAddress)) {
      return false;
    }
    InetAddress addr = ((InetSocketAddress) peer).getAddress();
    if (addr == null) {
      return false;
    }
    byte[] raw = addr.getAddress();
    for (Cidr c : trusted) {
      if (c.contains(raw)) {
        return true;
      }
    }
    return false;
  }
}
