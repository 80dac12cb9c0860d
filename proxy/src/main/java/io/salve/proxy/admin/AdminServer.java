package io.salve.proxy.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.salve.config.HostPort;
import io.salve.proxy.server.Transports;
import java.net.InetSocketAddress;
import java.util.List;

/** The admin HTTP server: small bodies, aggregated requests, its own event loop. */
public final class AdminServer implements AutoCloseable {
  /** An idle connection is closed after this; a long poll suspends it while it waits. */
  static final int READ_TIMEOUT_SECONDS = 60;
  static final String READ_TIMEOUT = "readTimeout";
  private final EventLoopGroup group;
  private Channel channel;

  public AdminServer(EventLoopGroup group) {
    this.group = group;
  }

  /** Binds {@code address} and serves {@code routes} in order. */
  public InetSocketAddress start(HostPort address, List<AdminRoute> routes) throws InterruptedException {
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
                        .addLast(new AdminHandler(List.copyOf(routes)));
                  }
                });
    channel = b.bind(new InetSocketAddress(address.host(), address.port())).sync().channel();
    return (InetSocketAddress) channel.localAddress();
  }

  @Override
  public void close() {
    if (channel != null) {
      channel.close().syncUninterruptibly();
    }
  }
}
