package io.salve.proxy.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.salve.config.HostPort;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.channels.UnresolvedAddressException;
import org.junit.jupiter.api.Test;

class BindingTest {
  @Test
  void aTakenAddress_failsWithOwnerAddressAndReason() throws Exception {
    EventLoopGroup group = Transports.newGroup(1, "binding-test");
    try {
      ServerBootstrap b =
          new ServerBootstrap().group(group).channel(Transports.serverChannel()).childHandler(new ChannelInboundHandlerAdapter());
      Channel first = Binding.bind(b, "listener 'a'", new HostPort("127.0.0.1", 0));
      int port = ((InetSocketAddress) first.localAddress()).getPort();
      try {
        Binding.CannotBindException e =
            catchThrowableOfType(
                Binding.CannotBindException.class, () -> Binding.bind(b, "listener 'b'", new HostPort("127.0.0.1", port)));
        assertThat(e).hasMessage("listener 'b' cannot bind 127.0.0.1:" + port + ": address already in use");
        assertThat(e.getStackTrace()).isEmpty();
      } finally {
        first.close().sync();
      }
    } finally {
      group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
    }
  }

  @Test
  void reasons_areTheOsWordsInLowerCase() {
    assertThat(Binding.reason(new BindException("Address already in use"))).isEqualTo("address already in use");
    assertThat(Binding.reason(new java.io.IOException("bind(..) failed: Cannot assign requested address")))
        .isEqualTo("cannot assign requested address");
    assertThat(Binding.reason(new UnresolvedAddressException())).isEqualTo("cannot resolve the host");
    assertThat(Binding.reason(new java.io.IOException())).isEqualTo("IOException");
  }
}
