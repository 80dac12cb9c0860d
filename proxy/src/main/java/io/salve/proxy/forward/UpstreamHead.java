package io.salve.proxy.forward;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.salve.proxy.tls.ClientCertHeader;
import io.salve.proxy.tls.ClientIdentity;
import java.util.List;

/**
 * Turns an admitted request's head into the one the upstream gets, in place: hop-by-hop fields out
 * (an upgrade that goes on keeps its own two), framing restated, salve's own fields dropped,
 * forwarding fields and the client certificate's identity added, Host filled in, the target in origin
 * form, HTTP/1.1.
 */
final class UpstreamHead {
  private UpstreamHead() {}

  /**
   * @param fields the {@link FieldScan} of the head
   * @param host the client's Host (after an absolute-form target replaced it), or null
   * @param identity the verified client certificate's identity, or null
   * @return the request id, or null when Connection names a field that cannot be removed (the request
   *     is then refused, and the head was left half-rewritten)
   */
  static String rewrite(
      HttpRequest req, int fields, boolean chunked, UpgradeDecision upgrade, RequestTarget target, String host,
      ClientIdentity identity, ClientConnectionFacts connection, ListenerContext listener, Channel channel) {
    HttpHeaders headers = req.headers();
    List<String> offered = upgrade.upgrades() ? headers.getAll(HttpHeaderNames.UPGRADE) : List.of();
    if (!HopByHop.strip(headers, fields)) {
      return null;
    }
    if (chunked) {
      headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
    if (upgrade.upgrades()) {
      // The only hop-by-hop fields that go on: the upstream must see the upgrade to answer 101.
      headers.set(HttpHeaderNames.UPGRADE, offered);
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
    }
    ForwardedHeaders.dropSalveHeaders(headers, fields);
    boolean trustedPeer = listener.isTrusted(channel.remoteAddress());
    String requestId = ForwardedHeaders.apply(
        headers, fields, connection.peer(), trustedPeer, host, connection.scheme(), listener.random().current());
    ClientCertHeader.apply(headers, identity, trustedPeer);
    if (host == null) {
      // Only HTTP/1.0 may omit Host, but the request goes on as HTTP/1.1, which requires it: use the
      // authority the client connected to, as RFC 9112 §3.3 reconstructs the target URI.
      headers.set(HttpHeaderNames.HOST, Addresses.authority(channel.localAddress()));
    }
    req.setUri(target.originForm());
    req.setProtocolVersion(HttpVersion.HTTP_1_1);
    return requestId;
  }
}
