package io.salve.config;

/** The protocol salve speaks to an upstream's endpoints. */
public enum UpstreamProtocol {
  /** HTTP/1.1 with keep-alive: one request at a time per pooled connection. */
  HTTP1("http1"),
  /** Cleartext HTTP/2 with prior knowledge: many streams multiplexed on each pooled connection. */
  H2C("h2c"),
  /** HTTP/2 over TLS ({@code tls} required), agreed by ALPN: multiplexed as {@link #H2C}. */
  H2("h2");

  private final String key;

  UpstreamProtocol(String key) {
    this.key = key;
  }

  /** @return whether requests are multiplexed as HTTP/2 streams. */
  public boolean http2() {
    return this != HTTP1;
  }

  /** @return the YAML spelling. */
  public String key() {
    return key;
  }
}
