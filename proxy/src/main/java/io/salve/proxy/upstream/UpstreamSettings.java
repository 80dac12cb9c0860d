package io.salve.proxy.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import java.util.function.Consumer;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.resolver.AddressResolverGroup;
import io.salve.proxy.tls.ClientTls;
import java.net.SocketAddress;

/**
 * What every pool of one upstream needs to open connections, fixed at startup.
 *
 * @param maxConnectionsPerLoop the upstream's maxConnectionsPerEndpoint split over the event loops
 * @param tls TLS origination, or null for plaintext
 */
record UpstreamSettings(
    Class<? extends Channel> channelClass,
    AddressResolverGroup<? extends SocketAddress> resolver,
    HttpDecoderConfig decoderConfig,
    long connectTimeoutMillis,
    long idleTimeoutMillis,
    int maxConnectionsPerLoop,
    ClientTls tls) {

  /**
   * @return how a pool on {@code loop} connects to {@code endpoint}: the connect timeout, no Nagle,
   *     TCP keep-alive, TLS first in the pipeline when the upstream has it, then what {@code pipeline}
   *     adds (the protocol's handlers)
   */
  Bootstrap bootstrap(EventLoop loop, Endpoint endpoint, Consumer<Channel> pipeline) {
    UpstreamSettings settings = this;
    return new Bootstrap()
        .group(loop)
        .channel(channelClass)
        .resolver(resolver)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeoutMillis)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.SO_KEEPALIVE, true)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            UpstreamTlsHandshake.install(ch, settings, endpoint);
            pipeline.accept(ch);
          }
        });
  }
}
