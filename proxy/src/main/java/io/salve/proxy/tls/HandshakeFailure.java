package io.salve.proxy.tls;

import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Locale;

/**
 * Why a handshake failed, as a short stable label for metrics and logs. The JDK and OpenSSL engines
 * word their errors differently, so both spellings are recognised.
 */
public enum HandshakeFailure {
  /** The peer did not speak TLS (e.g. plaintext HTTP to a TLS port). */
  NOT_TLS("not_tls"),
  /** The peer's certificate has expired or is not yet valid. */
  EXPIRED_CERT("expired_cert"),
  /** The peer's certificate chain does not lead to a trusted CA. */
  UNKNOWN_CA("unknown_ca"),
  /** The certificate does not name the host (upstream hostname verification). */
  NAME_MISMATCH("name_mismatch"),
  /** A client certificate was required and none was sent. */
  NO_CLIENT_CERT("no_client_cert"),
  /** The peer refused our certificate (bad_certificate, unknown_ca ... alert received). */
  CERT_REFUSED("cert_refused"),
  /** No common protocol version or cipher suite. */
  PROTOCOL("protocol"),
  /** The handshake did not finish in time. */
  TIMEOUT("timeout"),
  /** The connection closed during the handshake. */
  CLOSED("closed"),
  /** Anything else. */
  OTHER("handshake_error");

  private final String reason;

  HandshakeFailure(String reason) {
    this.reason = reason;
  }

  /** @return the metric label, e.g. {@code expired_cert} */
  public String reason() {
    return reason;
  }

  /** @return the kind of failure {@code cause} (and its causes) describe */
  public static HandshakeFailure classify(Throwable cause) {
    StringBuilder messages = new StringBuilder();
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof NotSslRecordException) {
        return NOT_TLS;
      }
      if (t instanceof CertificateExpiredException || t instanceof CertificateNotYetValidException) {
        return EXPIRED_CERT;
      }
      if (t instanceof CertPathValidatorException cpve
          && cpve.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
        return EXPIRED_CERT;
      }
      if (t instanceof SslHandshakeTimeoutException) {
        return TIMEOUT;
      }
      if (t instanceof ClosedChannelException) {
        return CLOSED;
      }
      if (t.getMessage() != null) {
        messages.append(t.getMessage().toLowerCase(Locale.ROOT)).append('\n');
      }
    }
    String m = messages.toString();
    if (m.contains("expired") || m.contains("not yet valid") || m.contains("certificate_expired")) {
      return EXPIRED_CERT;
    }
    if (m.contains("no subject alternative") || m.contains("no name matching") || m.contains("hostname")
        || m.contains("does not match")) {
      return NAME_MISMATCH;
    }
    if (m.contains("empty client certificate chain") || m.contains("peer_did_not_return_a_certificate")
        || m.contains("certificate_required") || m.contains("null cert chain")
        || m.contains("no client certificate")) {
      return NO_CLIENT_CERT;
    }
    if (m.contains("received fatal alert") || m.contains("alert_bad_certificate") || m.contains("alert_unknown_ca")
        || m.contains("sslv3_alert") || m.contains("tlsv1_alert")) {
      return CERT_REFUSED;
    }
    if (m.contains("pkix") || m.contains("certification path") || m.contains("unknown_ca")
        || m.contains("certificate_verify_failed") || m.contains("signature check failed")
        || m.contains("untrusted") || m.contains("self-signed") || m.contains("self signed")) {
      return UNKNOWN_CA;
    }
    if (m.contains("protocol") || m.contains("cipher") || m.contains("no_shared")) {
      return PROTOCOL;
    }
    if (m.contains("closed") || m.contains("connection reset")) {
      return CLOSED;
    }
    return OTHER;
  }
}
