package io.salve.proxy.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.salve.config.HostPort;
import io.salve.proxy.transport.Binding;
import io.salve.proxy.transport.Transports;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP server: small bodies, aggregated requests, its own event loop. It may listen on several
 * addresses, each serving its own set of routes (the full admin API on loopback, the probe subset on the
 * probe port).
 */
public final class AdminServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

  /** An idle connection is closed after this; a long poll suspends it while it waits. */
  static final int READ_TIMEOUT_SECONDS = 60;
  static final String READ_TIMEOUT = "readTimeout";
  private final EventLoopGroup group;
  private final List<Channel> channels = new ArrayList<>();

  public AdminServer(EventLoopGroup group) {
    this.group = group;
  }

  /**
   * Binds {@code address}, serves {@code routes} in order there, and logs {@code NAME bound to HOST:PORT} (the
   * host as configured, the port as bound).
   *
   * @param name what this listener is called in logs and errors: {@code admin}, {@code admin probes}
   * @return the bound address
   * @throws Binding.CannotBindException naming {@code name} and the address
   */
  public InetSocketAddress start(String name, HostPort address, List<AdminRoute> routes) throws InterruptedException {
    List<AdminRoute> served = List.copyOf(routes);
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(Transports.serverChannel())
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(READ_TIMEOUT, new ReadTimeoutHandler(READ_TIMEOUT_SECONDS))
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(1024 * 1024))
                        .addLast(new AdminHandler(served));
                  }
                });
    Channel channel = Binding.bind(b, name, address);
    channels.add(channel);
    InetSocketAddress bound = (InetSocketAddress) channel.localAddress();
    // The host as configured: a wildcard bound dual-stack would otherwise read 0:0:0:0:0:0:0:0.
    LOG.info("{} bound to {}", name, new HostPort(address.host(), bound.getPort()));
    return bound;
  }

  @Override
  public void close() {
    channels.forEach(ch -> ch.close().syncUninterruptibly());
  }
}
