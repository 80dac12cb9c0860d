package io.salve.config;

/**
 * A {@code host:port} pair exactly as configured. The host is not resolved here: resolution is the
 * proxy's job and happens asynchronously.
 */
public record HostPort(String host, int port) {
  /** @return {@code host:port}, with IPv6 literals bracketed. */
  @Override
  public String toString() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }

  /** @return whether the host is a loopback literal or {@code localhost}. */
  public boolean isLoopback() {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
  }
}
