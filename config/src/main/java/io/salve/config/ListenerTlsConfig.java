package io.salve.config;

import java.nio.file.Path;
import java.util.List;

/**
 * TLS termination on a listener ({@code listeners[].tls}).
 *
 * @param cert PEM certificate chain served when no {@code certificates} entry matches the SNI name
 * @param key PEM private key of {@code cert} (PKCS#8, or traditional PKCS#1 RSA / SEC1 EC)
 * @param clientCa PEM CA bundle: when set, clients must present a certificate it verifies (mTLS); or null
 * @param alpn protocols offered by ALPN, in preference order (only {@code http/1.1} until HTTP/2 exists)
 * @param certificates further certificates chosen by the client's SNI name
 */
public record ListenerTlsConfig(
    Path cert, Path key, Path clientCa, List<String> alpn, List<SniCertificate> certificates) {
  public ListenerTlsConfig {
    alpn = List.copyOf(alpn);
    certificates = List.copyOf(certificates);
  }

  /**
   * One certificate of a listener serving several names.
   *
   * @param serverNames host names (lower-case; {@code *.example.com} matches one label) that select it
   * @param cert PEM certificate chain
   * @param key PEM private key
   */
  public record SniCertificate(List<String> serverNames, Path cert, Path key) {
    public SniCertificate {
      serverNames = List.copyOf(serverNames);
    }
  }
}
