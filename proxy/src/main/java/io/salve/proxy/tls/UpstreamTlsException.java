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

  /** @return whether an error on an upstream connection came from TLS (an alert, a bad record) */
  public static boolean isTlsFailure(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof javax.net.ssl.SSLException) {
        return true;
      }
    }
    return false;
  }

  public HandshakeFailure kind() {
    return kind;
  }
}
