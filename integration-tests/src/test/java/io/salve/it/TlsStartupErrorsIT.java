package io.salve.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.salve.it.support.SalveProcess;
import io.salve.it.support.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unusable certificate files stop --check-config and the start with one sentence naming the file. */
class TlsStartupErrorsIT {
  @TempDir Path tmp;

  private Path config(Path cert, Path key) throws Exception {
    return SalveProcess.configFile("""
        admin: { address: 127.0.0.1:0 }
        listeners:
          - name: ingress
            address: 127.0.0.1:0
            tls: { cert: %s, key: %s }
            routes: [{ upstream: app }]
        upstreams:
          app: { endpoints: [127.0.0.1:9] }
        """.formatted(cert, key)).toAbsolutePath();
  }

  @Test
  void notPemAndAMismatchedPairAreRefusedBeforeBinding() throws Exception {
    TestPki pki = new TestPki(tmp.toAbsolutePath().resolve("pki"));
    TestPki.Issued ca = pki.ca("ca");
    pki.writePem("a", pki.leaf(ca, "CN=a", List.of("dns:a"), false, false), false);
    pki.writePem("b", pki.leaf(ca, "CN=b", List.of("dns:b"), false, true), true);
    Path garbage = Files.writeString(pki.dir().resolve("garbage.crt"), "not a certificate\n");

    Path notPem = config(garbage, pki.dir().resolve("a.key"));
    SalveProcess.Exit check = SalveProcess.runToExit(Duration.ofSeconds(60), "--check-config", notPem.toString());
    assertThat(check.code()).isEqualTo(1);
    assertThat(check.stderr()).contains("salve: " + garbage + ": no PEM certificate in it").doesNotContain("\tat ");

    SalveProcess.Exit start = SalveProcess.runToExit(Duration.ofSeconds(60), "--config", notPem.toString());
    assertThat(start.code()).isEqualTo(1);
    assertThat(start.stderr()).contains("salve: cannot start: " + garbage + ": no PEM certificate in it")
        .doesNotContain("\tat ").doesNotContain("bound to");

    Path mismatched = config(pki.dir().resolve("a.crt"), pki.dir().resolve("b.key"));
    SalveProcess.Exit pair = SalveProcess.runToExit(Duration.ofSeconds(60), "--config", mismatched.toString());
    assertThat(pair.code()).isEqualTo(1);
    assertThat(pair.stderr()).contains("salve: cannot start: " + pki.dir().resolve("b.key")
        + ": this private key does not belong to the certificate in " + pki.dir().resolve("a.crt"));
  }
}
