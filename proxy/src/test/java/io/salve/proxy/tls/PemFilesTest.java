package io.salve.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEM certificates and keys in every supported form, and the sentences for the unusable ones. */
class PemFilesTest {
  static Path fixture(String name) {
    return Path.of("src/test/resources/tls", name);
  }

  @Test
  void readsPkcs8AndTraditionalKeysThatMatchTheirCertificates() throws Exception {
    for (String[] pair : new String[][] {
      {"rsa.crt", "rsa.pkcs8.key"}, {"rsa.crt", "rsa.pkcs1.key"}, {"ec.crt", "ec.pkcs8.key"}, {"ec.crt", "ec.sec1.key"}
    }) {
      X509Certificate[] chain = PemFiles.certificates(fixture(pair[0]));
      PrivateKey key = PemFiles.privateKey(fixture(pair[1]));
      PemFiles.checkPair(fixture(pair[0]), chain[0], fixture(pair[1]), key); // does not throw
      assertThat(key.getAlgorithm()).as(pair[1]).isEqualTo(pair[0].startsWith("rsa") ? "RSA" : "EC");
    }
  }

  @Test
  void aKeyOfAnotherCertificateIsRefusedNamingBothFiles() throws Exception {
    X509Certificate rsa = PemFiles.certificates(fixture("rsa.crt"))[0];
    PrivateKey ec = PemFiles.privateKey(fixture("ec.sec1.key"));
    assertThatThrownBy(() -> PemFiles.checkPair(fixture("rsa.crt"), rsa, fixture("ec.sec1.key"), ec))
        .isInstanceOf(TlsMaterialException.class)
        .hasMessage(fixture("ec.sec1.key") + ": this private key does not belong to the certificate in " + fixture("rsa.crt"));
  }

  @Test
  void unusableFilesGetOneSentence(@TempDir Path dir) throws Exception {
    Path text = Files.writeString(dir.resolve("x.pem"), "hello\n");
    assertThatThrownBy(() -> PemFiles.certificates(text)).hasMessageStartingWith(text + ": no PEM certificate in it")
        .isInstanceOf(TlsMaterialException.class);
    assertThatThrownBy(() -> PemFiles.privateKey(text)).hasMessageStartingWith(text + ": no PEM private key in it");
    assertThatThrownBy(() -> PemFiles.privateKey(dir.resolve("gone.key")))
        .hasMessage(dir.resolve("gone.key") + ": cannot read it: no such file");
    assertThatThrownBy(() -> PemFiles.privateKey(fixture("ec.encrypted.key")))
        .hasMessageContaining("encrypted private keys are not supported yet");
    assertThatThrownBy(() -> PemFiles.privateKey(fixture("rsa.crt"))).hasMessageContaining("no PEM private key in it");
  }
}
