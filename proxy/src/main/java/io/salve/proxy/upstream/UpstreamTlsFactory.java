package io.salve.proxy.upstream;

import io.salve.config.UpstreamTlsConfig;
import io.salve.proxy.tls.ClientTls;

/** Builds an upstream's TLS origination from its {@code tls} section. */
@FunctionalInterface
public interface UpstreamTlsFactory {
  /** For a configuration without upstream TLS: any {@code tls} section is a programming error. */
  UpstreamTlsFactory PLAINTEXT = (name, config) -> {
    throw new IllegalStateException("upstream '" + name + "' has tls but no TLS factory was given");
  };

  /** @throws IllegalStateException with the file and reason when the material cannot be used */
  ClientTls create(String upstream, UpstreamTlsConfig config);
}
