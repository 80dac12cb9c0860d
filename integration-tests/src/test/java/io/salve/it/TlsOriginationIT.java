package io.salve.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.salve.it.support.Http;
import io.salve.it.support.LoopbackWireMock;
import io.salve.it.support.SalveProcess;
import io.salve.it.support.TestPki;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS origination on the real jar to HTTPS WireMocks: CA verification, SNI, a client certificate,
 * pooled TLS connections, and the 502 {@code upstream_tls_error} answers.
 */
class TlsOriginationIT {
  @TempDir static Path tmp;
  /** Certificate for DNS:localhost only (no IP SAN), requiring a client certificate from the CA. */
  private static WireMockServer secure;
  /** An expired certificate. */
  private static WireMockServer expired;
  /** A trusted certificate, HTTP/1.1 only (no h2 by ALPN), no client certificate asked. */
  private static WireMockServer h1only;
  private static SalveProcess salve;
  private static java.security.cert.X509Certificate clientCert;

  @BeforeAll
  static void start() throws Exception {
    TestPki pki = new TestPki(tmp.toAbsolutePath().resolve("pki"));
    TestPki.Issued ca = pki.ca("upstream-ca");
    TestPki.Issued otherCa = pki.ca("other-ca");
    TestPki.writeCerts(pki.dir().resolve("ca.crt"), ca.cert());
    TestPki.writeCerts(pki.dir().resolve("other-ca.crt"), otherCa.cert());
    // A traditional PKCS#1 RSA key: salve converts it.
    TestPki.Issued client = pki.leaf(ca, "CN=salve", List.of("uri:spiffe://example.org/salve"), false, true);
    clientCert = client.cert();
    pki.writePem("client", client, true);
    secure = https(pki.keystore("secure", pki.leaf(ca, "CN=localhost", List.of("dns:localhost"), false, false)),
        pki.truststore("trust", ca));
    expired = https(pki.keystore("expired", pki.leaf(ca, "CN=localhost", List.of("dns:localhost"), true, false)), null);
    h1only = https(pki.keystore("h1only", pki.leaf(ca, "CN=localhost", List.of("dns:localhost"), false, false)), null, true);
    Path d = pki.dir();
    String yaml =
        """
        admin: { address: 127.0.0.1:0 }
        listeners:
          - name: egress
            address: 127.0.0.1:0
            routes:
              - { match: { pathPrefix: /good }, upstream: good }
              - { match: { pathPrefix: /nosni }, upstream: nosni }
              - { match: { pathPrefix: /untrusted }, upstream: untrusted }
              - { match: { pathPrefix: /expired }, upstream: expired }
              - { match: { pathPrefix: /nocert }, upstream: nocert }
              - { match: { pathPrefix: /insecure }, upstream: insecure }
              - { match: { pathPrefix: /breaker }, upstream: breaker }
              - { match: { pathPrefix: /h2good }, upstream: h2good }
              - { match: { pathPrefix: /noh2 }, upstream: noh2 }
        upstreams:
          good:
            endpoints: [127.0.0.1:%2$d]
            tls: { ca: %1$s/ca.crt, sni: localhost, cert: %1$s/client.crt, key: %1$s/client.key }
          nosni:
            endpoints: [127.0.0.1:%2$d]
            tls: { ca: %1$s/ca.crt, cert: %1$s/client.crt, key: %1$s/client.key }
          untrusted:
            endpoints: [127.0.0.1:%2$d]
            tls: { ca: %1$s/other-ca.crt, sni: localhost, cert: %1$s/client.crt, key: %1$s/client.key }
          expired:
            endpoints: [127.0.0.1:%3$d]
            tls: { ca: %1$s/ca.crt, sni: localhost }
          nocert:
            endpoints: [127.0.0.1:%2$d]
            tls: { ca: %1$s/ca.crt, sni: localhost }
            retry: { maxAttempts: 1 }
          insecure:
            endpoints: [127.0.0.1:%3$d]
            tls: { verify: false }
          breaker:
            endpoints: [127.0.0.1:%2$d]
            tls: { ca: %1$s/other-ca.crt, sni: localhost }
            retry: { maxAttempts: 1 }
            circuitBreaker: { failureThreshold: 2, openDuration: 1m }
          h2good:
            protocol: h2
            endpoints: [127.0.0.1:%2$d]
            tls: { ca: %1$s/ca.crt, sni: localhost, cert: %1$s/client.crt, key: %1$s/client.key }
          noh2:
            protocol: h2
            endpoints: [127.0.0.1:%4$d]
            tls: { ca: %1$s/ca.crt, sni: localhost }
            retry: { maxAttempts: 1 }
        """.formatted(d, secure.httpsPort(), expired.httpsPort(), h1only.httpsPort());
    salve = SalveProcess.start(yaml);
  }

  private static WireMockServer https(Path keystore, Path truststore) {
    return https(keystore, truststore, false);
  }

  private static WireMockServer https(Path keystore, Path truststore, boolean http1Only) {
    var o = options().bindAddress("127.0.0.1").dynamicPort().dynamicHttpsPort().http2TlsDisabled(http1Only)
        .keystorePath(keystore.toString()).keystoreType("PKCS12")
        .keystorePassword(TestPki.password()).keyManagerPassword(TestPki.password());
    if (truststore != null) {
      o.needClientAuth(true).trustStorePath(truststore.toString()).trustStoreType("PKCS12")
          .trustStorePassword(TestPki.password());
    }
    WireMockServer w = new WireMockServer(o);
    w.start();
    w.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("secure")));
    return w;
  }

  @AfterAll
  static void stop() throws Exception {
    LoopbackWireMock.stopAll(salve, secure, expired, h1only);
  }

  @Test
  void originatesTlsWithSniCaAndClientCertificateOverOnePooledConnection() {
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r = Http.get(salve.port("egress"), "/good");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("secure");
    }
    assertThat(Http.metric(salve.adminPort(), "salve_upstream_tls_handshakes_total", "upstream=good",
        "result=success")).as("handshakes for three keep-alive requests").isEqualTo(1.0);
    assertThat(Http.metric(salve.adminPort(), "salve_upstream_tls_handshake_duration_seconds_count",
        "upstream=good")).isEqualTo(1.0);
    assertThat(Http.metric(salve.adminPort(), "salve_tls_certificate_expiry_timestamp_seconds", "kind=upstream",
        "name=good")).as("client certificate expiry").isEqualTo((double) clientCert.getNotAfter().toInstant().getEpochSecond());
    assertThat(Http.metric(salve.adminPort(), "salve_tls_certificate_expiry_timestamp_seconds", "kind=upstream",
        "name=expired")).as("no series without a client certificate").isNull();
  }

  @Test
  void theEndpointAddressIsVerifiedWhenNoSniIsSet() {
    assertTlsError("/nosni", "nosni", "name_mismatch");
  }

  @Test
  void anUntrustedCertificateIsATlsError() {
    assertTlsError("/untrusted", "untrusted", "unknown_ca");
  }

  @Test
  void anExpiredCertificateIsATlsError() {
    assertTlsError("/expired", "expired", "expired_cert");
  }

  @Test
  void aRefusedClientCertificateIsATlsError() {
    HttpResponse<String> r = Http.get(salve.port("egress"), "/nocert");
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.headers().firstValue("x-salve-error")).hasValue("upstream_tls_error");
  }

  @Test
  void verifyFalseAcceptsAnyCertificateAndWarnsLoudlyAtStartup() throws Exception {
    HttpResponse<String> r = Http.get(salve.port("egress"), "/insecure");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(salve.stderr()).contains("upstream 'insecure': tls.verify is false");
  }

  @Test
  void tlsFailuresOpenTheCircuitLikeConnectFailures() {
    assertThat(Http.get(salve.port("egress"), "/breaker").headers().firstValue("x-salve-error"))
        .hasValue("upstream_tls_error");
    assertThat(Http.get(salve.port("egress"), "/breaker").headers().firstValue("x-salve-error"))
        .hasValue("upstream_tls_error");
    HttpResponse<String> third = Http.get(salve.port("egress"), "/breaker");
    assertThat(third.statusCode()).isEqualTo(503);
    assertThat(third.headers().firstValue("x-salve-error")).hasValue("circuit_open");
  }

  @Test
  void aRefusedClientCertificateIsLogged() throws Exception {
    Http.get(salve.port("egress"), "/nocert");
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(salve.stderr()).contains("upstream 'nocert' endpoint 127.0.0.1:" + secure.httpsPort()
            + ": TLS error after the handshake:"));
  }

  @Test
  void protocolH2IsAgreedByAlpnAndItsRequestsAreStreamsOfOneConnection() {
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r = Http.get(salve.port("egress"), "/h2good");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("secure");
    }
    assertThat(secure.findAll(com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(
            com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo("/h2good"))))
        .hasSize(3)
        .allSatisfy(seen -> assertThat(seen.getProtocol()).isEqualTo("HTTP/2.0"));
    assertThat(Http.metric(salve.adminPort(), "salve_upstream_tls_handshakes_total", "upstream=h2good",
        "result=success")).as("one connection, one handshake").isEqualTo(1.0);
  }

  @Test
  void protocolH2ToAnUpstreamThatOnlyAgreesToHttp11IsATlsError() {
    HttpResponse<String> r = Http.get(salve.port("egress"), "/noh2");
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.headers().firstValue("x-salve-error")).hasValue("upstream_tls_error");
    assertThat(h1only.getAllServeEvents()).as("nothing was sent").isEmpty();
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(salve.stderr()).contains("the upstream did not agree to h2 by ALPN (it chose nothing)"));
  }

  private static void assertTlsError(String path, String upstream, String reason) {
    HttpResponse<String> r = Http.get(salve.port("egress"), path);
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.headers().firstValue("x-salve-error")).hasValue("upstream_tls_error");
    assertThat(Http.metric(salve.adminPort(), "salve_upstream_tls_handshakes_total", "upstream=" + upstream,
        "result=" + reason)).isGreaterThanOrEqualTo(1.0);
    // Judged like a connect failure by breakers, outliers and retries (nothing was sent).
    assertThat(Http.metric(salve.adminPort(), "salve_upstream_requests_total", "upstream=" + upstream,
        "outcome=tls_error")).isGreaterThanOrEqualTo(1.0);
  }
}
