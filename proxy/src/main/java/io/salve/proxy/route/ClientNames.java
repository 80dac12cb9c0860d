package io.salve.proxy.route;

import java.util.List;

/**
 * The names of a connection's verified client certificate (mTLS) as routing sees them: what
 * {@code match.clientUri} and {@code match.clientDns} compare against. The caller adapts its TLS
 * layer's identity into this record, so route/ stays free of Netty and of the tls package.
 *
 * @param uris the certificate's URI subject alternative names (e.g. SPIFFE IDs)
 * @param dnsNames its DNS subject alternative names
 */
public record ClientNames(List<String> uris, List<String> dnsNames) {
  public ClientNames {
    uris = List.copyOf(uris);
    dnsNames = List.copyOf(dnsNames);
  }
}
