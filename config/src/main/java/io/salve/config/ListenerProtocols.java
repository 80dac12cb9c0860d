package io.salve.config;

/**
 * Which protocols a listener speaks on its port, detected per connection, and its HTTP/2 limits.
 *
 * @param http1 whether HTTP/1.1 (and 1.0) requests are served
 * @param h2c whether cleartext HTTP/2 with prior knowledge is served (the connection preface decides)
 * @param maxConcurrentStreams the streams one HTTP/2 connection may have open at once, advertised in
 *     SETTINGS; more are refused with REFUSED_STREAM (default 100)
 */
public record ListenerProtocols(boolean http1, boolean h2c, int maxConcurrentStreams) {
  /** Both protocols, 100 streams: a listener without the keys. */
  public static final ListenerProtocols DEFAULT = new ListenerProtocols(true, true, 100);

  /** HTTP/1.1 only: a TLS listener (h2 over ALPN is not spoken yet). */
  public static final ListenerProtocols HTTP1_ONLY = new ListenerProtocols(true, false, 100);
}
