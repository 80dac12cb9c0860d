package io.salve.config;

/**
 * Which protocols a listener speaks on its port, told apart per connection, and its HTTP/2 limits.
 *
 * @param http1 whether HTTP/1.1 (and 1.0) requests are served
 * @param http2 whether HTTP/2 is served: on a plaintext listener cleartext HTTP/2 with prior knowledge
 *     ({@code h2c}), on a TLS listener HTTP/2 negotiated by ALPN ({@code h2}); the connection preface
 *     decides per connection
 * @param maxConcurrentStreams the streams one HTTP/2 connection may have open at once, advertised in
 *     SETTINGS; more are refused with REFUSED_STREAM (default 100)
 */
public record ListenerProtocols(boolean http1, boolean http2, int maxConcurrentStreams) {
  /** Both protocols, 100 streams: a listener without the keys. */
  public static final ListenerProtocols DEFAULT = new ListenerProtocols(true, true, 100);

  /** HTTP/1.1 only. */
  public static final ListenerProtocols HTTP1_ONLY = new ListenerProtocols(true, false, 100);
}
