package io.salve.proxy.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.salve.config.HostPort;
import java.net.InetSocketAddress;
import java.nio.channels.UnresolvedAddressException;
import java.util.Locale;

/**
 * Binds a server socket for a named owner and turns a failure into one sentence a user can act on:
 * {@code listener 'egress' cannot bind 127.0.0.1:15001: address already in use}. Blocks the caller
 * (startup), never an event loop.
 */
public final class Binding {
  private Binding() {}

  /**
   * @param owner what wants the address, as the user knows it: {@code listener 'egress'}, {@code admin}
   * @return the bound server channel
   * @throws CannotBindException when the address cannot be bound
   */
  public static Channel bind(ServerBootstrap bootstrap, String owner, HostPort address) throws InterruptedException {
    ChannelFuture f = bootstrap.bind(new InetSocketAddress(address.host(), address.port())).await();
    if (!f.isSuccess()) {
      throw new CannotBindException(owner + " cannot bind " + address + ": " + reason(f.cause()));
    }
    return f.channel();
  }

  /** @return the OS reason in lower case, without Netty's {@code bind(..) failed:} prefix. */
  static String reason(Throwable cause) {
    if (cause instanceof UnresolvedAddressException) {
      return "cannot resolve the host";
    }
    String message = cause.getMessage();
    if (message == null || message.isBlank()) {
      return cause.getClass().getSimpleName();
    }
    String reason = message.substring(message.lastIndexOf(": ") + 1).strip();
    return reason.substring(0, 1).toLowerCase(Locale.ROOT) + reason.substring(1);
  }

  /** A server socket could not be bound; the message names the owner, the address and the reason. */
  public static final class CannotBindException extends RuntimeException {
    CannotBindException(String message) {
      super(message, null, false, false);
    }
  }
}
