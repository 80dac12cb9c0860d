package io.salve.config;

/** The protocol salve speaks to an upstream's endpoints. */
public enum UpstreamProtocol {
  /** HTTP/1.1 with keep-alive: one request at a time per pooled connection. */
  HTTP1("http1"),
  /** Cleartext HTTP/2 with prior knowledge: many streams multiplexed on each pooled connection. */
  H2C("h2c");

  private final String key;

  UpstreamProtocol(String key) {
    this.key = key;
  }

  /** @return the YAML spelling. */
  public String key() {
    return key;
  }
}
