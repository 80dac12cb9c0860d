package io.salve.proxy.tls;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/**
 * {@code x-forwarded-client-cert} on a request salve forwards. Only salve vouches for a client
 * certificate: a client-sent value is removed, except from a listener's {@code trustedProxies}, whose
 * value is kept and salve's element (if the connection has a verified certificate) appended after a
 * comma, as Envoy's {@code APPEND_FORWARD} does.
 */
public final class ClientCertHeader {
  public static final AsciiString X_FORWARDED_CLIENT_CERT = AsciiString.cached("x-forwarded-client-cert");

  private ClientCertHeader() {}

  /**
   * @param identity the connection's verified client certificate, or null
   * @param trustedPeer whether the peer is one of the listener's trusted proxies
   */
  public static void apply(HttpHeaders headers, ClientIdentity identity, boolean trustedPeer) {
    if (!trustedPeer) {
      headers.remove(X_FORWARDED_CLIENT_CERT);
      if (identity != null) {
        headers.set(X_FORWARDED_CLIENT_CERT, identity.xfcc());
      }
      return;
    }
    if (identity == null) {
      return;
    }
    StringBuilder joined = new StringBuilder();
    for (String line : headers.getAll(X_FORWARDED_CLIENT_CERT)) {
      if (!line.isBlank()) {
        joined.append(line.trim()).append(',');
      }
    }
    headers.set(X_FORWARDED_CLIENT_CERT, joined.append(identity.xfcc()).toString());
  }
}
