package io.salve.proxy.tls;

/** What the TLS code reports, for metrics to count. Calls come from event loops: never block. */
public interface TlsEvents {
  TlsEvents NONE = new TlsEvents() {};

  /**
   * A client's handshake on a listener failed.
   *
   * @param reason one of {@link HandshakeFailure#reason()}'s labels
   */
  default void clientHandshakeFailed(String listener, String reason) {}

  /**
   * A handshake with an upstream ended.
   *
   * @param result {@code success} or a {@link HandshakeFailure} label
   */
  default void upstreamHandshake(String upstream, String result, long durationNanos) {}

  /** TLS material was built for a listener or upstream (at startup or by a configuration reload). */
  default void materialLoaded(TlsMaterial material) {}
}
