package io.salve.config;

import static io.salve.config.ConfigTesting.errors;
import static io.salve.config.ConfigTesting.load;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code listeners[].tls}, {@code upstreams.<u>.tls} and the client-identity route matches. */
class TlsConfigTest {
  @TempDir static Path dir;
  static String cert;
  static String key;

  @BeforeAll
  static void files() throws Exception {
    cert = Files.writeString(dir.resolve("tls.crt"), "pem").toString();
    key = Files.writeString(dir.resolve("tls.key"), "pem").toString();
  }

  private static String listener(String tls, String match) {
    return """
        listeners:
          - name: in
            address: 127.0.0.1:15000
            tls: %s
            routes:
              - upstream: app
                match: %s
        upstreams:
          app: { endpoints: [127.0.0.1:8080] }
        """.formatted(tls, match);
  }

  @Test
  void bindsEveryListenerKey() {
    SalveConfig c = load(listener("{ cert: %1$s, key: %2$s, clientCa: %1$s, alpn: [http/1.1], certificates: [{ serverNames: [API.example.com, '*.example.org'], cert: %1$s, key: %2$s }] }"
        .formatted(cert, key), "{ clientUri: 'spiffe://x/y', clientDns: web.example.org }"));
    ListenerTlsConfig tls = c.listeners().get(0).tls();
    assertThat(tls.cert()).isEqualTo(Path.of(cert));
    assertThat(tls.clientCa()).isEqualTo(Path.of(cert));
    assertThat(tls.alpn()).containsExactly("http/1.1");
    assertThat(tls.certificates().get(0).serverNames()).containsExactly("api.example.com", "*.example.org");
    RouteMatch m = c.listeners().get(0).routes().get(0).match();
    assertThat(m.clientUri()).isEqualTo("spiffe://x/y");
    assertThat(m.clientDns()).isEqualTo("web.example.org");
  }

  @Test
  void plaintextByDefault_andAlpnOffersH2ThenHttp11() {
    assertThat(load(listener("null", "{}")).listeners().get(0).tls()).isNull();
    ListenerConfig l = load(listener("{ cert: %s, key: %s }".formatted(cert, key), "{}")).listeners().get(0);
    assertThat(l.tls().alpn()).containsExactly("h2", "http/1.1");
    assertThat(l.protocols()).isEqualTo(ListenerProtocols.DEFAULT);
  }

  @Test
  void alpnRestrictsWhatATlsListenerServes() {
    ListenerConfig h1 = load(listener("{ cert: %s, key: %s, alpn: [http/1.1] }".formatted(cert, key), "{}")).listeners().get(0);
    assertThat(h1.tls().alpn()).containsExactly("http/1.1");
    assertThat(h1.protocols()).as("HTTP/2 is not served where ALPN does not offer it").isEqualTo(ListenerProtocols.HTTP1_ONLY);
    ListenerConfig h2 = load(listener("{ cert: %s, key: %s, alpn: [h2] }".formatted(cert, key), "{}")).listeners().get(0);
    assertThat(h2.tls().alpn()).containsExactly("h2");
    assertThat(h2.protocols().http2()).isTrue();
  }

  @Test
  void alpnNamesOnlyWhatTheListenerServes() {
    String onlyHttp1 = listener("{ cert: %s, key: %s, alpn: [h2, http/1.1] }".formatted(cert, key), "{}")
        .replace("    routes:", "    protocols: [http1]\n    routes:");
    assertThat(errors(onlyHttp1)).containsExactly("4:46: listeners[0].tls.alpn[0]: h2 is not among the listener's"
        .replace("4:46", errorsPosition(cert, key)) + " protocols (h2 is missing from listeners[].protocols)");
  }

  @Test
  void aTlsListenerSpeaksH2_andRefusesH2c() {
    String tls = "{ cert: %s, key: %s }".formatted(cert, key);
    String withH2 = listener(tls, "{}").replace("    routes:", "    protocols: [h2]\n    routes:");
    assertThat(load(withH2).listeners().get(0).protocols()).isEqualTo(new ListenerProtocols(false, true, 100));
    assertThat(load(withH2).listeners().get(0).tls().alpn()).containsExactly("h2");
    String withH2c = listener(tls, "{}").replace("    routes:", "    protocols: [http1, h2c]\n    routes:");
    assertThat(errors(withH2c)).containsExactly(
        "5:24: listeners[0].protocols[1]: h2c is cleartext HTTP/2 and this listener has tls; there HTTP/2 is h2,"
            + " negotiated by ALPN (expected: http1 or h2)");
  }

  @Test
  void aPlaintextListenerRefusesH2() {
    String withH2 = listener("null", "{}").replace("    tls: null\n    routes:", "    protocols: [http1, h2]\n    routes:");
    assertThat(errors(withH2)).containsExactly(
        "4:24: listeners[0].protocols[1]: h2 is HTTP/2 over TLS and this listener has no tls; cleartext HTTP/2"
            + " is h2c (expected: http1 or h2c)");
  }

  private static String errorsPosition(String cert, String key) {
    return "4:" + (("    tls: { cert: " + cert + ", key: " + key + ", alpn: [").length() + 1);
  }

  @Test
  void missingAndUnreadableFilesAreReportedWithTheirKey() {
    List<String> e = errors(listener("{ cert: %s/missing.crt }".formatted(dir), "{}"));
    assertThat(e).hasSize(2);
    assertThat(e).anySatisfy(m -> assertThat(m).endsWith("listeners[0].tls.cert: cannot read " + dir + "/missing.crt: no such file"));
    assertThat(e).anySatisfy(m -> assertThat(m).endsWith("listeners[0].tls.key: missing (expected: the path of a PEM private key)"));
  }

  @Test
  void clientMatchesNeedClientCertificates() {
    assertThat(errors(listener("{ cert: %s, key: %s }".formatted(cert, key), "{ clientUri: 'spiffe://x/y' }")))
        .singleElement().asString()
        .endsWith("listeners[0].routes[0].match.clientUri: needs client certificates (expected: tls.clientCa on this listener)");
  }

  @Test
  void upstreamTlsBindsWithDefaultsAndChecksItsKeys() {
    String yaml = """
        listeners:
          - { name: in, address: 127.0.0.1:15000, routes: [{ upstream: app }] }
        upstreams:
          app:
            endpoints: [api.example.com:443]
            tls: %s
        """;
    UpstreamTlsConfig defaults = load(yaml.formatted("{}")).upstreams().get("app").tls();
    assertThat(defaults).isEqualTo(new UpstreamTlsConfig(null, null, null, null, true));
    UpstreamTlsConfig full = load(yaml.formatted("{ ca: %1$s, sni: API.example.com, cert: %1$s, key: %2$s, verify: false }"
        .formatted(cert, key))).upstreams().get("app").tls();
    assertThat(full).isEqualTo(new UpstreamTlsConfig(Path.of(cert), "api.example.com", Path.of(cert), Path.of(key), false));
    assertThat(errors(yaml.formatted("{ cert: %s }".formatted(cert)))).singleElement().asString()
        .contains("upstreams.app.tls.cert: ").contains("cert and key together");
    assertThat(errors(yaml.formatted("{ sni: 'not a name' }"))).singleElement().asString()
        .contains("upstreams.app.tls.sni: not a name (expected: a DNS host name like api.example.com)");
  }

  @Test
  void httpProbesOverTlsAreNotSupportedYet() {
    assertThat(errors("""
        listeners:
          - { name: in, address: 127.0.0.1:15000, routes: [{ upstream: app }] }
        upstreams:
          app:
            endpoints: [api.example.com:443]
            tls: {}
            healthCheck: { type: http }
        """)).singleElement().asString().contains("http probes over TLS are not supported yet");
    assertThat(load("""
        listeners:
          - { name: in, address: 127.0.0.1:15000, routes: [{ upstream: app }] }
        upstreams:
          app:
            endpoints: [api.example.com:443]
            tls: {}
            healthCheck: { type: tcp }
        """).upstreams().get("app").healthCheck()).isNotNull();
  }
}
