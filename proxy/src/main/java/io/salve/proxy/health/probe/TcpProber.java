package io.salve.proxy.health.probe;

import io.netty.channel.Channel;
import io.netty.resolver.AddressResolverGroup;
import io.salve.proxy.health.ProbeResult;
import io.salve.proxy.upstream.Endpoint;
import java.net.SocketAddress;
import java.time.Duration;

/** {@code type: tcp}: the probe passes when a TCP connection is established within the timeout. */
public final class TcpProber extends ChannelProber {

  public TcpProber(
      Class<? extends Channel> channelClass,
      AddressResolverGroup<? extends SocketAddress> resolver,
      Duration timeout) {
    super(channelClass, resolver, timeout);
  }

  @Override
  void initPipeline(Channel ch, Endpoint endpoint, Attempt attempt) {
    // No handlers: nothing is read, and the channel is closed as soon as it connects.
  }

  @Override
  void onConnected(Channel ch, Attempt attempt) {
    attempt.complete(ProbeResult.pass("connected"));
  }
}
