package io.salve.proxy.tls;

/**
 * The TLS handshake with an upstream failed: nothing of the request was sent. The exchange answers
 * 502 {@code upstream_tls_error}, and breakers and outlier detection count it as a connect failure.
 */
public final class UpstreamTlsException extends Exception {
  private final HandshakeFailure kind;

  public UpstreamTlsException(Throwable cause) {
    super("TLS handshake failed: " + HandshakeFailure.classify(cause).reason(), cause, false, false);
    this.kind = HandshakeFailure.classify(cause);
  }

  public HandshakeFailure kind() {
    return kind;
  }
}
