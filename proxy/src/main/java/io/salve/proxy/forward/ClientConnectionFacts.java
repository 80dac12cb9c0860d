package io.salve.proxy.forward;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslHandler;
import io.salve.proxy.route.ClientNames;
import io.salve.proxy.tls.ClientIdentity;

/**
 * What one client connection tells about every request on it: the peer's address as text, the
 * scheme, and the names of its verified client certificate. Each is worked out once per connection,
 * on first use, since none can change while the connection lives (the handshake fixes the
 * certificate).
 */
final class ClientConnectionFacts {
  private final Channel channel;
  private String peerText;
  private String scheme;
  private ClientIdentity namedIdentity;
  private ClientNames clientNames;

  /** @param channel the client connection, or one of its HTTP/2 streams (the facts are the connection's) */
  ClientConnectionFacts(Channel channel) {
    // TLS (its handler, the verified identity) lives on the connection, not on a stream's child channel.
    this.channel = channel instanceof Http2StreamChannel ? channel.parent() : channel;
  }

  /** @return the client's address as text. */
  String peer() {
    if (peerText == null) {
      peerText = Addresses.host(channel.remoteAddress());
    }
    return peerText;
  }

  /** @return {@code https} on a TLS connection, else {@code http}. */
  String scheme() {
    if (scheme == null) {
      scheme = channel.pipeline().get(SslHandler.class) != null ? "https" : "http";
    }
    return scheme;
  }

  /** @return the verified client certificate's identity, or null without one. */
  ClientIdentity identity() {
    return ClientIdentity.of(channel);
  }

  /**
   * @return the names routing matches for {@code identity}, or null without one; adapted from the
   *     certificate once, so route/ needs neither Netty nor tls/
   */
  ClientNames clientNames(ClientIdentity identity) {
    if (identity == null) {
      return null;
    }
    if (identity != namedIdentity) {
      namedIdentity = identity;
      clientNames = new ClientNames(identity.uris(), identity.dnsNames());
    }
    return clientNames;
  }
}
