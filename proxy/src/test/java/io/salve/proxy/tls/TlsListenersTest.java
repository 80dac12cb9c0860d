package io.salve.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SniHandler;
import io.salve.config.ConfigLoader;
import io.salve.config.SalveConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which connections get TLS, across configuration reloads. */
class TlsListenersTest {
  private static SalveConfig config(String cert, String key) throws Exception {
    String tls = cert == null ? "" : "    tls: { cert: '" + cert + "', key: '" + key + "' }\n";
    String yaml = "listeners:\n"
        + "  - name: in\n"
        + "    address: 127.0.0.1:0\n"
        + tls
        + "    routes: [{ upstream: app }]\n"
        + "  - name: plain\n"
        + "    address: 127.0.0.1:0\n"
        + "    routes: [{ upstream: app }]\n"
        + "upstreams:\n"
        + "  app: { endpoints: ['127.0.0.1:9'] }\n";
    return new ConfigLoader(Map.of()).parse(yaml, "test.yaml");
  }

  private static String fixture(String name) {
    return PemFilesTest.fixture(name).toAbsolutePath().toString();
  }

  @Test
  void tlsListenersGetTheHandlerFirstPlaintextOnesNothing(@TempDir Path dir) throws Exception {
    try (TlsRotation rotation = new TlsRotation(Duration.ofSeconds(1))) {
      TlsListeners tls = TlsListeners.create(config(fixture("rsa.crt"), fixture("rsa.pkcs1.key")), TlsEvents.NONE, rotation);
      EmbeddedChannel secure = new EmbeddedChannel();
      tls.initChannel("in", secure);
      assertThat(secure.pipeline().first()).isInstanceOf(SniHandler.class);
      EmbeddedChannel plain = new EmbeddedChannel();
      tls.initChannel("plain", plain);
      assertThat(plain.pipeline().names()).doesNotContain("tls", "tlsHandshake");
      secure.finishAndReleaseAll();
      plain.finishAndReleaseAll();

      // A reload whose material cannot be built: the listener refuses connections, never plaintext.
      Path garbage = Files.writeString(dir.resolve("bad.crt"), "-----BEGIN CERTIFICATE-----\nxx\n-----END CERTIFICATE-----\n");
      tls.apply(config(garbage.toString(), fixture("rsa.pkcs1.key")));
      EmbeddedChannel refused = new EmbeddedChannel();
      tls.initChannel("in", refused);
      assertThat(refused.isOpen()).isFalse();

      // Fixed by the next reload.
      tls.apply(config(fixture("ec.crt"), fixture("ec.sec1.key")));
      EmbeddedChannel again = new EmbeddedChannel();
      tls.initChannel("in", again);
      assertThat(again.pipeline().first()).isInstanceOf(SniHandler.class);
      again.finishAndReleaseAll();

      // TLS removed by a reload: plaintext, as configured.
      tls.apply(config(null, null));
      EmbeddedChannel now = new EmbeddedChannel();
      tls.initChannel("in", now);
      assertThat(now.isOpen()).isTrue();
      assertThat(now.pipeline().names()).doesNotContain("tls");
      now.finishAndReleaseAll();
    }
  }
}
