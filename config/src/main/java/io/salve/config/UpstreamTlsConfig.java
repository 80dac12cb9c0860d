package io.salve.config;

import java.nio.file.Path;

/**
 * TLS origination to an upstream ({@code upstreams.<u>.tls}).
 *
 * @param ca PEM CA bundle that verifies the upstream's certificate, or null for the JDK's trust store
 * @param sni the server name sent and verified, or null for each endpoint's host
 * @param cert PEM client certificate chain presented to the upstream (mTLS), or null
 * @param key PEM private key of {@code cert}, or null
 * @param verify whether the upstream's certificate and name are verified (default true)
 * @param alpn the protocol offered by ALPN: {@code h2} for {@code protocol: h2}, else {@code http/1.1}
 */
public record UpstreamTlsConfig(Path ca, String sni, Path cert, Path key, boolean verify, String alpn) {
  /** HTTP/1.1 over TLS. */
  public UpstreamTlsConfig(Path ca, String sni, Path cert, Path key, boolean verify) {
    this(ca, sni, cert, key, verify, "http/1.1");
  }
}
