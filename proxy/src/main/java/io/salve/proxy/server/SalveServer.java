package io.salve.proxy.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.salve.config.ListenerConfig;
import io.salve.config.SalveConfig;
import io.salve.proxy.forward.AdmissionControl;
import io.salve.proxy.forward.ExchangeObserver;
import io.salve.proxy.forward.ListenerContext;
import io.salve.proxy.upstream.Upstreams;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy listeners of one configuration: binds them, tracks their connections, and drains them
 * on shutdown. Startup and shutdown run on the caller's thread (they may block); nothing here blocks
 * an event loop.
 */
public final class SalveServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SalveServer.class);

  private final SalveConfig config;
  private final EventLoopGroup group;
  private final Upstreams upstreams;
  private final ExchangeObserver observer;
  private final AdmissionControl admission;
  private final ChannelGroup clients = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
  private final Map<String, Channel> serverChannels = new LinkedHashMap<>();
  private final AtomicBoolean draining = new AtomicBoolean();

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
  public void start() throws InterruptedException {
    try {
      for (ListenerConfig lc : config.listeners()) {
        ListenerContext ctx = new ListenerContext(lc, upstreams, observer, draining::get, admission);
        ServerBootstrap b =
            new ServerBootstrap()
                .group(group)
                .channel(Transports.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ListenerInitializer(ctx, clients));
        Channel ch = Binding.bind(b, "listener '" + lc.name() + "'", lc.address());
        serverChannels.put(lc.name(), ch);
        LOG.info("listener {} bound to {}", lc.name(), format((InetSocketAddress) ch.localAddress()));
      }
    } catch (Exception e) {
      serverChannels.values().forEach(Channel::close);
      throw e;
    }
  }

  /** @return the address each listener is bound to, by listener name. */
  public Map<String, InetSocketAddress> boundAddresses() {
    Map<String, InetSocketAddress> out = new LinkedHashMap<>();
    serverChannels.forEach((name, ch) -> out.put(name, (InetSocketAddress) ch.localAddress()));
    return out;
  }

  /** @return whether every listener is bound and the server is not draining. */
  public boolean isServing() {
    return !draining.get() && serverChannels.size() == config.listeners().size();
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
    serverChannels.values().forEach(ch -> ch.close().syncUninterruptibly());
    clients.forEach(ch -> ch.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE));
    long deadline = System.nanoTime() + timeout.toNanos();
    while (inFlight.getAsInt() > 0 && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(20); // the shutdown thread, never an event loop
    }
    boolean clean = inFlight.getAsInt() == 0;
    clients.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    return clean;
  }

  @Override
  public void close() {
    draining.set(true);
    serverChannels.values().forEach(Channel::close);
    clients.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
  }

  static String format(InetSocketAddress a) {
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  /** Fired at each client connection when draining starts: idle ones close. */
  public static final class DrainEvent {
    public static final DrainEvent INSTANCE = new DrainEvent();

    private DrainEvent() {}
  }
}
