package io.salve.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.salve.it.support.LoopbackWireMock;
import io.salve.it.support.SalveProcess;
import io.salve.it.support.TestPki;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificate rotation as a Kubernetes Secret volume does it (a {@code ..data} symlink swapped to a
 * new timestamped directory), under a bounded loop of requests on new connections: none fails, new
 * handshakes get the new certificate, an established connection keeps working, and a mismatched
 * pair is refused with the old certificate kept.
 */
class TlsRotationIT {
  @TempDir Path tmp;

  @Test
  void rotatesWithoutAFailedRequestAndRefusesAMismatchedPair() throws Exception {
    TestPki pki = new TestPki(tmp.toAbsolutePath().resolve("pki"));
    TestPki.Issued ca = pki.ca("rotation-ca");
    Path secret = Files.createDirectories(tmp.toAbsolutePath().resolve("secret"));
    TestPki.Issued first = pki.leaf(ca, "CN=first", List.of("dns:localhost", "ip:127.0.0.1"), false, false);
    TestPki.Issued second = pki.leaf(ca, "CN=second", List.of("dns:localhost", "ip:127.0.0.1"), false, false);
    writeVersion(secret, "..v1", first.chain(), first);
    Files.createSymbolicLink(secret.resolve("..data"), Path.of("..v1"));
    Files.createSymbolicLink(secret.resolve("tls.crt"), Path.of("..data/tls.crt"));
    Files.createSymbolicLink(secret.resolve("tls.key"), Path.of("..data/tls.key"));
    WireMockServer upstream = LoopbackWireMock.start();
    upstream.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("ok")));
    SalveProcess salve = null;
    try {
      salve = SalveProcess.start(
          """
          admin: { address: 127.0.0.1:0 }
          listeners:
            - name: ingress
              address: 127.0.0.1:0
              tls: { cert: %1$s/tls.crt, key: %1$s/tls.key }
              routes:
                - upstream: backend
          upstreams:
            backend: { endpoints: [127.0.0.1:%2$d] }
          """.formatted(secret, upstream.port()),
          2, List.of("-Dsalve.reload.debounceMillis=100"));
      int port = salve.port("ingress");
      SSLContext client = TestPki.clientContext(ca, null);
      try (SSLSocket kept = open(client, port)) {
        assertThat(get(kept, false)).isEqualTo(200);
        assertThat(subject(kept)).isEqualTo("CN=first");
        int failures = 0;
        for (int i = 0; i < 120; i++) {
          if (i == 40) {
            writeVersion(secret, "..v2", second.chain(), second);
            swap(secret, "..v2");
          }
          try (SSLSocket s = open(client, port)) {
            failures += get(s, true) == 200 ? 0 : 1;
          } catch (Exception e) {
            failures++;
          }
        }
        assertThat(failures).as("failed requests during rotation").isZero();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
          try (SSLSocket s = open(client, port)) {
            assertThat(subject(s)).isEqualTo("CN=second");
          }
        });
        // The connection opened before the rotation is kept and still serves.
        assertThat(get(kept, false)).isEqualTo(200);
      }
      // A certificate with another certificate's key: refused, the file named, the old pair stays.
      writeVersion(secret, "..v3", first.chain(), second);
      swap(secret, "..v3");
      SalveProcess s = salve;
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(s.stderr()).contains("TLS material of listener 'ingress' not reloaded, keeping the previous one")
              .contains("does not belong to the certificate"));
      try (SSLSocket sock = open(client, port)) {
        assertThat(subject(sock)).isEqualTo("CN=second");
        assertThat(get(sock, true)).isEqualTo(200);
      }
    } finally {
      LoopbackWireMock.stopAll(salve, upstream);
    }
  }

  private static void writeVersion(Path secret, String name, X509Certificate[] chain, TestPki.Issued keyOf)
      throws Exception {
    Path dir = Files.createDirectories(secret.resolve(name));
    TestPki.writeCerts(dir.resolve("tls.crt"), chain);
    TestPki.writeKey(dir.resolve("tls.key"), keyOf.keys().getPrivate(), false);
  }

  /** As the kubelet does: a new symlink renamed over {@code ..data} in one step. */
  private static void swap(Path secret, String version) throws Exception {
    Path tmpLink = secret.resolve("..data_tmp");
    Files.deleteIfExists(tmpLink);
    Files.createSymbolicLink(tmpLink, Path.of(version));
    Files.move(tmpLink, secret.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static SSLSocket open(SSLContext ctx, int port) throws Exception {
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("localhost", port);
    s.setSoTimeout(5000);
    s.startHandshake();
    return s;
  }

  private static String subject(SSLSocket s) throws Exception {
    return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
  }

  /** One reader per socket, so nothing a reader buffered ahead is lost between two requests. */
  private static final java.util.Map<SSLSocket, BufferedReader> READERS = new java.util.IdentityHashMap<>();

  /** Sends one GET and reads the whole response (Content-Length or chunked); @return the status. */
  private static int get(SSLSocket s, boolean close) throws Exception {
    OutputStream out = s.getOutputStream();
    out.write(("GET /r HTTP/1.1\r\nHost: localhost\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    BufferedReader in = READERS.computeIfAbsent(s,
        k -> new BufferedReader(new InputStreamReader(in(k), StandardCharsets.US_ASCII)));
    String status = in.readLine();
    int length = 0;
    boolean chunked = false;
    for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
      String lower = line.toLowerCase();
      if (lower.startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
        chunked = true;
      }
    }
    if (chunked) {
      for (int size = Integer.parseInt(in.readLine().trim(), 16); size > 0;
          size = Integer.parseInt(in.readLine().trim(), 16)) {
        in.skip(size);
        in.readLine();
      }
      in.readLine();
    } else {
      in.skip(length);
    }
    if (close) {
      READERS.remove(s);
    }
    return Integer.parseInt(status.split(" ")[1]);
  }

  private static java.io.InputStream in(SSLSocket s) {
    try {
      return s.getInputStream();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
