package io.salve.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.salve.proxy.util.Ticker;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** Handshake failure labels from both engines' wording, and the rate limit of their log lines. */
class HandshakeFailureTest {
  private static SSLHandshakeException ssl(String message, Throwable cause) {
    SSLHandshakeException e = new SSLHandshakeException(message);
    e.initCause(cause);
    return e;
  }

  @Test
  void classifiesJdkAndOpenSslWordings() {
    assertThat(HandshakeFailure.classify(new DecoderException(new NotSslRecordException("not an SSL/TLS record"))))
        .isEqualTo(HandshakeFailure.NOT_TLS);
    assertThat(HandshakeFailure.classify(ssl("General OpenSslEngine problem",
        new CertificateException(new CertificateExpiredException("NotAfter: ...")))))
        .isEqualTo(HandshakeFailure.EXPIRED_CERT);
    assertThat(HandshakeFailure.classify(ssl("PKIX path building failed", null))).isEqualTo(HandshakeFailure.UNKNOWN_CA);
    assertThat(HandshakeFailure.classify(ssl("No subject alternative names matching IP address 127.0.0.1 found", null)))
        .isEqualTo(HandshakeFailure.NAME_MISMATCH);
    assertThat(HandshakeFailure.classify(
        ssl("error:100000c0:SSL routines:OPENSSL_internal:PEER_DID_NOT_RETURN_A_CERTIFICATE", null)))
        .isEqualTo(HandshakeFailure.NO_CLIENT_CERT);
    assertThat(HandshakeFailure.classify(ssl("Received fatal alert: bad_certificate", null)))
        .isEqualTo(HandshakeFailure.CERT_REFUSED);
    assertThat(HandshakeFailure.classify(new SslHandshakeTimeoutException("handshake timed out after 10000ms")))
        .isEqualTo(HandshakeFailure.TIMEOUT);
    assertThat(HandshakeFailure.classify(ssl("something new", null))).isEqualTo(HandshakeFailure.OTHER);
  }

  @Test
  void oneLinePerKeyPerIntervalSayingHowManyWereLeftOut() {
    AtomicLong now = new AtomicLong();
    Ticker ticker = now::get;
    FailureLogLimiter limiter = new FailureLogLimiter(ticker, 10);
    assertThat(limiter.admit("a")).isZero();
    assertThat(limiter.admit("a")).isEqualTo(-1);
    assertThat(limiter.admit("a")).isEqualTo(-1);
    assertThat(limiter.admit("b")).as("another key has its own budget").isZero();
    now.set(9);
    assertThat(limiter.admit("a")).isEqualTo(-1);
    now.set(10);
    assertThat(limiter.admit("a")).as("three left out since the last line").isEqualTo(3);
    assertThat(limiter.admit("a")).isEqualTo(-1);
  }
}
