package io.salve.proxy.forward;

import io.salve.config.Cidr;
import io.salve.config.ListenerConfig;
import io.salve.config.ListenerLimits;
import io.salve.config.ListenerProtocols;
import io.salve.proxy.route.Router;
import io.salve.proxy.upstream.Upstreams;
import io.salve.proxy.util.RandomSource;
import io.salve.proxy.util.Ticker;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * What every connection of one listener shares: routes, limits, upstreams and observers, and the
 * time and randomness its exchanges decide with (a monotonic {@link Ticker} for durations, a wall
 * {@link Clock} for timestamps, a {@link RandomSource}), injected so tests can fix them.
 */
public final class ListenerContext {
  private final ListenerConfig config;
  private final Router router;
  private final Upstreams upstreams;
  private final ExchangeObserver observer;
  private final BooleanSupplier draining;
  private final AdmissionControl admission;
  private final Ticker ticker;
  private final Clock clock;
  private final RandomSource random;
  private final UpstreamSide upstreamSide;

  /** A context on the system's clocks, thread-local randomness and pooled HTTP/1.1 connections. */
  public ListenerContext(
      ListenerConfig config,
      Upstreams upstreams,
      ExchangeObserver observer,
      BooleanSupplier draining,
      AdmissionControl admission) {
    this(config, upstreams, observer, draining, admission, Ticker.system(), Clock.systemUTC(), RandomSource.threadLocal(), UpstreamSide.POOLED);
  }

  /**
   * @param ticker measures every duration of an exchange (deadline bookkeeping, access-log duration)
   * @param clock the wall clock of access-log timestamps and Retry-After dates
   * @param upstreamSide opens a stream to a chosen endpoint
   */
  public ListenerContext(
      ListenerConfig config,
      Upstreams upstreams,
      ExchangeObserver observer,
      BooleanSupplier draining,
      AdmissionControl admission,
      Ticker ticker,
      Clock clock,
      RandomSource random,
      UpstreamSide upstreamSide) {
    this.ticker = ticker;
    this.clock = clock;
    this.random = random;
    this.upstreamSide = upstreamSide;
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

  /** @return the protocols the listener serves and its HTTP/2 limits. */
  public ListenerProtocols protocols() {
    return config.protocols();
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

  public Ticker ticker() {
    return ticker;
  }

  public Clock clock() {
    return clock;
  }

  public RandomSource random() {
    return random;
  }

  /** @return how exchanges open a stream to an endpoint. */
  public UpstreamSide upstreamSide() {
    return upstreamSide;
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
