package io.salve.proxy.forward;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** Socket addresses as the text that goes into headers and the access log. */
final class Addresses {
  private Addresses() {}

  /** @return {@code host:port} of {@code local} (IPv6 in brackets), the authority a client connected to. */
  static String authority(SocketAddress local) {
    if (local instanceof InetSocketAddress) {
      InetSocketAddress isa = (InetSocketAddress) local;
      String host = isa.getAddress() == null ? isa.getHostString() : isa.getAddress().getHostAddress();
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + isa.getPort();
    }
    return String.valueOf(local);
  }

  /** @return the host of {@code peer} as a literal address, without the port. */
  static String host(SocketAddress peer) {
    if (peer instanceof InetSocketAddress) {
      InetSocketAddress isa = (InetSocketAddress) peer;
      return isa.getAddress() == null ? isa.getHostString() : isa.getAddress().getHostAddress();
    }
    return String.valueOf(peer);
  }
}
