package io.salve.proxy.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.salve.config.HostPort;
import io.salve.config.ListenerConfig;
import io.salve.config.SalveConfig;
import io.salve.proxy.forward.AdmissionControl;
import io.salve.proxy.forward.ExchangeObserver;
import io.salve.proxy.forward.ListenerContext;
import io.salve.proxy.forward.ListenerSlot;
import io.salve.proxy.forward.UpstreamSide;
import io.salve.proxy.tls.TlsListeners;
import io.salve.proxy.transport.Binding;
import io.salve.proxy.transport.DrainEvent;
import io.salve.proxy.transport.Transports;
import io.salve.proxy.upstream.Upstreams;
import io.salve.proxy.util.RandomSource;
import io.salve.proxy.util.Ticker;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy listeners of the running configuration: binds them, tracks their connections, swaps in
 * a reloaded configuration ({@link #apply}), and drains them on shutdown. Startup, reload and
 * shutdown run on the caller's thread (they may block); nothing here blocks an event loop.
 */
public final class SalveServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SalveServer.class);

  private final SalveConfig config;
  private final EventLoopGroup group;
  private final Upstreams upstreams;
  private final ExchangeObserver observer;
  private final AdmissionControl admission;
  private final TlsListeners tls;
  private final Ticker ticker;
  private final Clock clock;
  private final RandomSource random;
  private final ChannelGroup clients = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
  private final Map<String, BoundListener> listeners = new LinkedHashMap<>(); // guarded by this
  private final AtomicBoolean draining = new AtomicBoolean();
  private volatile boolean bound;
  // Read by the admin loop, which must not wait for the lock a reload holds while binding.
  private volatile Map<String, InetSocketAddress> addresses = Map.of();

  /** One bound listener: its current context, its server channel and its client connections. */
  private static final class BoundListener {
    final ListenerSlot slot;
    final ChannelGroup connections;
    // Set when a reload removes the listener or the server drains: responses then close their
    // connections. One flag per listener, so a response reads one volatile field, as before reloads.
    volatile boolean closing;
    HostPort configured;
    Channel channel;

    BoundListener(String name) {
      this.slot = new ListenerSlot();
      this.connections = new DefaultChannelGroup("listener-" + name, GlobalEventExecutor.INSTANCE);
    }
  }

  /**
   * @param group the event loops serving client and upstream connections
   * @param observer hears every exchange (metrics, access log, in-flight count)
   */
  public SalveServer(
      SalveConfig config,
      EventLoopGroup group,
      Upstreams upstreams,
      ExchangeObserver observer,
      AdmissionControl admission) {
    this(config, group, upstreams, observer, admission, TlsListeners.NONE);
  }

  /** @param tls the TLS termination of the listeners that have it */
  public SalveServer(
      SalveConfig config,
      EventLoopGroup group,
      Upstreams upstreams,
      ExchangeObserver observer,
      AdmissionControl admission,
      TlsListeners tls) {
    this(config, group, upstreams, observer, admission, Ticker.system(), Clock.systemUTC(), RandomSource.threadLocal(), tls);
  }

  /**
   * @param ticker measures the drain timeout and every exchange's durations
   * @param clock timestamps exchanges (access log) and reads Retry-After dates
   * @param random chooses endpoints, jitters retries and makes request ids
   * @param tls the TLS termination of the listeners that have it
   */
  public SalveServer(
      SalveConfig config,
      EventLoopGroup group,
      Upstreams upstreams,
      ExchangeObserver observer,
      AdmissionControl admission,
      Ticker ticker,
      Clock clock,
      RandomSource random,
      TlsListeners tls) {
    this.ticker = ticker;
    this.clock = clock;
    this.random = random;
    this.tls = tls;
    this.config = config;
    this.admission = admission;
    this.group = group;
    this.upstreams = upstreams;
    this.observer = observer;
  }

  /**
   * Binds every listener, or fails with the first bind error after closing those already bound.
   *
   * @throws Binding.CannotBindException naming the listener and its address
   */
  public synchronized void start() throws InterruptedException {
    try {
      for (ListenerConfig lc : config.listeners()) {
        BoundListener b = new BoundListener(lc.name());
        b.slot.set(context(lc, upstreams, b));
        b.channel = bind(lc, b);
        b.configured = lc.address();
        listeners.put(lc.name(), b);
        LOG.info("listener {} bound to {}", lc.name(), format((InetSocketAddress) b.channel.localAddress()));
      }
      bound = true;
      publishAddresses();
    } catch (Exception e) {
      listeners.values().forEach(b -> b.channel.close());
      throw e;
    }
  }

  private ListenerContext context(ListenerConfig lc, Upstreams ups, BoundListener b) {
    return new ListenerContext(lc, ups, observer, () -> b.closing, admission, ticker, clock, random, UpstreamSide.POOLED);
  }

  private Channel bind(ListenerConfig lc, BoundListener b) throws InterruptedException {
    ServerBootstrap boot =
        new ServerBootstrap()
            .group(group)
            .channel(Transports.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(new ListenerInitializer(b.slot, clients, b.connections, tls));
    return Binding.bind(boot, "listener '" + lc.name() + "'", lc.address());
  }

  /**
   * Swaps in the listeners of a reloaded configuration. First binds every new listener and every
   * moved one's new address; if any bind fails, closes what it bound and throws, leaving the running
   * listeners as they were. Then, at once for each listener, new requests see the new routes and
   * {@code next} upstreams (requests in flight finish on what they started with); a moved listener's
   * old address is closed (its connections stay open, on the new context); a removed listener's
   * address is closed and its connections drain (idle ones close, busy ones after their response).
   *
   * @param next the new configuration
   * @param nextUpstreams the upstreams of {@code next}
   * @throws Binding.CannotBindException naming the listener and address that could not be bound
   */
  public synchronized void apply(SalveConfig next, Upstreams nextUpstreams) throws InterruptedException {
    if (draining.get()) {
      throw new IllegalStateException("salve is shutting down");
    }
    // Before any bind: a listener added with tls must never take a connection without it.
    tls.apply(next);
    Map<String, Channel> moved = new LinkedHashMap<>();
    Map<String, BoundListener> added = new LinkedHashMap<>();
    try {
      for (ListenerConfig lc : next.listeners()) {
        BoundListener b = listeners.get(lc.name());
        if (b == null) {
          BoundListener nb = new BoundListener(lc.name());
          nb.slot.set(context(lc, nextUpstreams, nb));
          nb.channel = bind(lc, nb);
          nb.configured = lc.address();
          added.put(lc.name(), nb);
        } else if (!b.configured.equals(lc.address())) {
          moved.put(lc.name(), bind(lc, b));
        }
      }
    } catch (RuntimeException | InterruptedException e) {
      moved.values().forEach(Channel::close);
      added.values().forEach(b -> b.channel.close());
      throw e;
    }
    Map<String, BoundListener> now = new LinkedHashMap<>();
    for (ListenerConfig lc : next.listeners()) {
      BoundListener b = listeners.remove(lc.name());
      if (b == null) {
        b = added.get(lc.name());
        LOG.info("listener {} bound to {}", lc.name(), format((InetSocketAddress) b.channel.localAddress()));
      } else {
        b.slot.set(context(lc, nextUpstreams, b));
        Channel fresh = moved.get(lc.name());
        if (fresh != null) {
          Channel old = b.channel;
          b.channel = fresh;
          b.configured = lc.address();
          old.close().syncUninterruptibly();
          LOG.info("listener {} bound to {} (moved from {})", lc.name(),
              format((InetSocketAddress) fresh.localAddress()), format((InetSocketAddress) old.localAddress()));
        }
      }
      now.put(lc.name(), b);
    }
    listeners.forEach(
        (name, b) -> {
          b.channel.close().syncUninterruptibly();
          b.closing = true;
          b.connections.forEach(ch -> ch.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE));
          LOG.info("listener {} removed: {} closed, {} connection(s) drain",
              name, format((InetSocketAddress) b.channel.localAddress()), b.connections.size());
        });
    listeners.clear();
    listeners.putAll(now);
    publishAddresses();
  }

  private void publishAddresses() {
    Map<String, InetSocketAddress> out = new LinkedHashMap<>();
    listeners.forEach((name, b) -> out.put(name, (InetSocketAddress) b.channel.localAddress()));
    addresses = java.util.Collections.unmodifiableMap(out);
  }


  /** @return the address each listener is bound to, by listener name. */
  public Map<String, InetSocketAddress> boundAddresses() {
    return addresses;
  }

  /** @return whether every listener is bound and the server is not draining. */
  public boolean isServing() {
    return !draining.get() && bound;
  }

  public boolean isDraining() {
    return draining.get();
  }

  /**
   * Stops accepting, lets in-flight requests finish (idle keep-alive connections close at once, busy
   * ones after their response), then closes whatever is left once {@code timeout} has passed.
   *
   * @param inFlight reads the number of requests still in flight
   * @return whether every request finished within the timeout
   */
  public boolean drain(Duration timeout, java.util.function.IntSupplier inFlight) throws InterruptedException {
    draining.set(true);
    closeServerChannels();
    clients.forEach(ch -> ch.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE));
    long deadline = ticker.nanos() + timeout.toNanos();
    while (inFlight.getAsInt() > 0 && ticker.nanos() - deadline < 0) {
      TimeUnit.MILLISECONDS.sleep(20); // the shutdown thread, never an event loop
    }
    boolean clean = inFlight.getAsInt() == 0;
    // Queued on each connection's loop ahead of the close below, so it is handled first.
    clients.forEach(ch -> ch.pipeline().fireUserEventTriggered(DrainEvent.DEADLINE));
    clients.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    return clean;
  }

  private synchronized void closeServerChannels() {
    listeners.values().forEach(b -> b.closing = true);
    listeners.values().forEach(b -> b.channel.close().syncUninterruptibly());
  }

  @Override
  public void close() {
    draining.set(true);
    synchronized (this) {
      listeners.values().forEach(b -> b.closing = true);
      listeners.values().forEach(b -> b.channel.close());
    }
    clients.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
  }

  static String format(InetSocketAddress a) {
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }
}
