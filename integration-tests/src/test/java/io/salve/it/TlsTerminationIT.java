package io.salve.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.salve.it.support.Http;
import io.salve.it.support.LoopbackWireMock;
import io.salve.it.support.SalveProcess;
import io.salve.it.support.TestPki;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * TLS termination on the real jar: certificates by SNI, ALPN (http/1.1, and h2 by default), client certificates (mTLS)
 * with the forwarded identity and routes on it, and the refusals with their metric.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsTerminationIT {
  private WireMockServer upstream;
  SalveProcess salve;
  private TestPki.Issued ca;
  private TestPki.Issued web;
  private TestPki.Issued other;
  private TestPki.Issued expired;
  private TestPki.Issued stranger;
  private TestPki.Issued strangerCa;

  @BeforeAll
  void start() throws Exception {
    Path runs = java.nio.file.Files.createDirectories(Path.of("target", "it-runs"));
    TestPki pki = new TestPki(java.nio.file.Files.createTempDirectory(runs, "pki-").toAbsolutePath());
    ca = pki.ca("test-ca");
    // Traditional keys (PKCS#1 RSA) for the default certificate, PKCS#8 EC for the SNI one.
    pki.writePem("server", pki.leaf(ca, "CN=localhost", List.of("dns:localhost", "ip:127.0.0.1"), false, true), true);
    pki.writePem("api", pki.leaf(ca, "CN=api", List.of("dns:api.example.test"), false, false), false);
    TestPki.writeCerts(pki.dir().resolve("ca.crt"), ca.cert());
    web = pki.leaf(ca, "CN=web,O=Acme", List.of("uri:spiffe://example.org/web", "dns:web.example.org"), false, false);
    other = pki.leaf(ca, "CN=other", List.of("uri:spiffe://example.org/other"), false, false);
    expired = pki.leaf(ca, "CN=web", List.of("uri:spiffe://example.org/web"), true, false);
    strangerCa = pki.ca("stranger-ca");
    stranger = pki.leaf(strangerCa, "CN=web", List.of("uri:spiffe://example.org/web"), false, false);
    upstream = LoopbackWireMock.start();
    upstream.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("ok")));
    Path d = pki.dir();
    String yaml =
        """
        admin: { address: 127.0.0.1:0 }
        listeners:
          - name: tls
            address: 127.0.0.1:0
            tls:
              cert: %1$s/server.crt
              key: %1$s/server.key
              alpn: [http/1.1]
              certificates:
                - { serverNames: [api.example.test], cert: %1$s/api.crt, key: %1$s/api.key }
            routes:
              - upstream: backend
          - name: mtls
            address: 127.0.0.1:0
            tls: { cert: %1$s/server.crt, key: %1$s/server.key, clientCa: %1$s/ca.crt }
            routes:
              - match: { clientUri: "spiffe://example.org/web" }
                upstream: web
              - upstream: backend
        upstreams:
          backend: { endpoints: [127.0.0.1:%2$d] }
          web: { endpoints: [127.0.0.1:%2$d] }
        """.formatted(d, upstream.port());
    salve = SalveProcess.start(yaml, 2, engine());
  }

  /** @return JVM arguments choosing the TLS engine; the default lets salve pick (OpenSSL here). */
  List<String> engine() {
    return List.of();
  }

  @AfterAll
  void stop() throws Exception {
    LoopbackWireMock.stopAll(salve, upstream);
  }

  @Test
  void terminatesTlsAndForwardsPlaintextWithHttpsProto() throws Exception {
    HttpResponse<String> r = send(client(null), salve.port("tls"), "/hello", null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("ok");
    LoggedRequest seen = upstream.findAll(anyRequestedFor(urlEqualTo("/hello"))).get(0);
    assertThat(seen.getHeader("x-forwarded-proto")).isEqualTo("https");
    // The earliest expiry of the listener's certificates (default and SNI ones), in the future.
    assertThat(Http.metric(salve.adminPort(), "salve_tls_certificate_expiry_timestamp_seconds", "kind=listener",
        "name=tls")).isGreaterThan((double) java.time.Instant.now().getEpochSecond());
  }

  @Test
  void alpnSelectsHttp11EvenWhenTheClientOffersH2First() throws Exception {
    try (SSLSocket s = socket(salve.port("tls"), null, List.of("h2", "http/1.1"))) {
      s.startHandshake();
      assertThat(s.getApplicationProtocol()).isEqualTo("http/1.1");
      assertThat(s.getSession().getProtocol()).isIn("TLSv1.3", "TLSv1.2");
    }
  }

  @Test
  void sniChoosesTheCertificateOfTheNameAndFallsBackToTheDefault() throws Exception {
    try (SSLSocket s = socket(salve.port("tls"), "api.example.test", List.of())) {
      s.startHandshake();
      assertThat(leaf(s).getSubjectX500Principal().getName()).isEqualTo("CN=api");
    }
    try (SSLSocket s = socket(salve.port("tls"), "unknown.example.test", List.of())) {
      s.startHandshake();
      assertThat(leaf(s).getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
    }
  }

  @Test
  void mtlsForwardsTheVerifiedIdentityAndDropsTheSpoofedOne() throws Exception {
    HttpResponse<String> r = send(client(web), salve.port("mtls"), "/who", "By=spiffe://evil;Hash=00;URI=spiffe://example.org/admin");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-salve-upstream")).hasValue("web"); // matched on clientUri
    List<LoggedRequest> seen = upstream.findAll(anyRequestedFor(urlEqualTo("/who")));
    assertThat(seen).hasSize(1);
    String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(web.cert().getEncoded()));
    assertThat(seen.get(0).getHeader("x-forwarded-client-cert"))
        .isEqualTo("Hash=" + hash + ";Subject=\"O=Acme,CN=web\";URI=spiffe://example.org/web;DNS=web.example.org");
  }

  @Test
  void h2IsNegotiatedByAlpnAndEachStreamCarriesTheConnectionsIdentity() throws Exception {
    HttpClient h2 = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_2)
        .sslContext(TestPki.clientContext(ca, web))
        .connectTimeout(Duration.ofSeconds(5))
        .build();
    for (int i = 0; i < 3; i++) { // streams of one connection
      HttpResponse<String> r = send(h2, salve.port("mtls"), "/h2/" + i, "URI=spiffe://example.org/admin");
      assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("x-salve-upstream")).hasValue("web"); // matched on clientUri
    }
    LoggedRequest seen = upstream.findAll(anyRequestedFor(urlEqualTo("/h2/2"))).get(0);
    assertThat(seen.getHeader("x-forwarded-proto")).isEqualTo("https");
    assertThat(seen.getHeader("x-forwarded-client-cert")).startsWith("Hash=").endsWith(";URI=spiffe://example.org/web;DNS=web.example.org");
    // The access log is written in batches, after the answer.
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(salve.stdout()).contains("\"protocol\":\"HTTP/2.0\",\"path\":\"/h2/2\""));
  }

  @Test
  void aCertificateWithAnotherUriTakesTheNextRoute() throws Exception {
    HttpResponse<String> r = send(client(other), salve.port("mtls"), "/other", null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-salve-upstream")).hasValue("backend");
  }

  @Test
  void refusesMissingExpiredAndUnknownClientCertificatesAndCountsThem() throws Exception {
    int port = salve.port("mtls");
    assertThatThrownBy(() -> send(client(null), port, "/nocert", null)).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> send(client(expired), port, "/expired", null)).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> send(client(stranger), port, "/stranger", null)).isInstanceOf(IOException.class);
    upstream.verify(0, anyRequestedFor(urlEqualTo("/nocert")));
    upstream.verify(0, anyRequestedFor(urlEqualTo("/expired")));
    upstream.verify(0, anyRequestedFor(urlEqualTo("/stranger")));
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      assertThat(Http.metric(salve.adminPort(), "salve_tls_handshake_failures_total", "listener=mtls",
          "reason=no_client_cert")).isGreaterThanOrEqualTo(1.0);
      assertThat(Http.metric(salve.adminPort(), "salve_tls_handshake_failures_total", "listener=mtls",
          "reason=expired_cert")).isGreaterThanOrEqualTo(1.0);
      assertThat(Http.metric(salve.adminPort(), "salve_tls_handshake_failures_total", "listener=mtls",
          "reason=unknown_ca")).isGreaterThanOrEqualTo(1.0);
    });
  }

  @Test
  void plaintextToATlsPortIsClosedWithoutAnAnswerAndCounted() throws Exception {
    int port = salve.port("tls");
    for (int i = 0; i < 3; i++) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        s.setSoTimeout(5000);
        s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        assertThat(in.readAllBytes()).as("bytes answered to plaintext").isEmpty();
      }
    }
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(Http.metric(salve.adminPort(), "salve_tls_handshake_failures_total", "listener=tls",
            "reason=not_tls")).isGreaterThanOrEqualTo(3.0));
    // Three failures of one reason within the interval make one log line.
    assertThat(salve.stderr().lines().filter(l -> l.contains("listener 'tls'") && l.contains("not_tls")).count())
        .isEqualTo(1);
  }

  @Test
  void aCorruptRecordAfterTheHandshakeLogsNoStackTrace() throws Exception {
    SSLContext ctx = TestPki.clientContext(ca, null);
    try (Socket raw = new Socket("127.0.0.1", salve.port("tls"));
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(raw, "localhost", salve.port("tls"), false)) {
      raw.setSoTimeout(5000);
      s.startHandshake();
      byte[] record = new byte[5 + 32];
      record[0] = 0x17; // application data, TLS 1.2 record version, 32 bytes that decrypt to nothing
      record[1] = 0x03;
      record[2] = 0x03;
      record[4] = 32;
      raw.getOutputStream().write(record);
      raw.getOutputStream().flush();
      raw.setSoTimeout(2000);
      try {
        raw.getInputStream().readAllBytes(); // the JDK engine closes at once; see the report on OpenSSL
      } catch (java.net.SocketTimeoutException e) {
        // the OpenSSL engine leaves the connection to the idle timeout
      }
    }
    assertThat(salve.stderr()).doesNotContain("unexpected error on a client connection").doesNotContain("\tat ");
  }

  private HttpClient client(TestPki.Issued identity) throws Exception {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .sslContext(TestPki.clientContext(ca, identity))
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  private static HttpResponse<String> send(HttpClient c, int port, String path, String xfcc) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://localhost:" + port + path))
        .timeout(Duration.ofSeconds(5));
    if (xfcc != null) {
      b.header("x-forwarded-client-cert", xfcc);
    }
    return c.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private SSLSocket socket(int port, String sni, List<String> alpn) throws Exception {
    SSLContext ctx = TestPki.clientContext(ca, null);
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port);
    s.setSoTimeout(5000);
    SSLParameters p = s.getSSLParameters();
    if (sni != null) {
      p.setServerNames(List.of(new SNIHostName(sni)));
    }
    if (!alpn.isEmpty()) {
      p.setApplicationProtocols(alpn.toArray(new String[0]));
    }
    s.setSSLParameters(p);
    return s;
  }

  private static X509Certificate leaf(SSLSocket s) throws Exception {
    return (X509Certificate) s.getSession().getPeerCertificates()[0];
  }
}
