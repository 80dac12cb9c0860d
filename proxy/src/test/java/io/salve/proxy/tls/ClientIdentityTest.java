package io.salve.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The client identity taken from a certificate, and x-forwarded-client-cert on the forwarded request. */
class ClientIdentityTest {
  private static final String XFCC = "x-forwarded-client-cert";

  @Test
  void envoyFormatWithHashSubjectUriAndDns() throws Exception {
    X509Certificate cert = PemFiles.certificates(PemFilesTest.fixture("rsa.crt"))[0];
    ClientIdentity id = ClientIdentity.from(cert);
    String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
    assertThat(id.xfcc()).isEqualTo(
        "Hash=" + hash + ";Subject=\"O=Acme\\, Inc,CN=rsa.test\";URI=spiffe://example.org/rsa;DNS=rsa.test");
    assertThat(id.uris()).containsExactly("spiffe://example.org/rsa");
    assertThat(id.dnsNames()).containsExactly("rsa.test");
    assertThat(ClientIdentity.from(PemFiles.certificates(PemFilesTest.fixture("ec.crt"))[0]).xfcc())
        .endsWith(";Subject=\"CN=ec.test\";DNS=ec.test;DNS=alt.ec.test");
  }

  @Test
  void aClientSentValueIsReplacedOrRemovedUnlessFromATrustedProxy() throws Exception {
    ClientIdentity id = new ClientIdentity(java.util.List.of(), java.util.List.of(), "Hash=ab;Subject=\"CN=me\"");
    HttpHeaders h = new DefaultHttpHeaders().add(XFCC, "Hash=spoofed").add(XFCC, "URI=spiffe://admin");
    ClientCertHeader.apply(h, id, false);
    assertThat(h.getAll(XFCC)).containsExactly("Hash=ab;Subject=\"CN=me\"");

    h = new DefaultHttpHeaders().add(XFCC, "Hash=spoofed");
    ClientCertHeader.apply(h, null, false);
    assertThat(h.contains(XFCC)).isFalse();

    h = new DefaultHttpHeaders().add(XFCC, "Hash=front").add(XFCC, "Hash=middle");
    ClientCertHeader.apply(h, id, true);
    assertThat(h.getAll(XFCC)).containsExactly("Hash=front,Hash=middle,Hash=ab;Subject=\"CN=me\"");

    h = new DefaultHttpHeaders().add(XFCC, "Hash=front");
    ClientCertHeader.apply(h, null, true);
    assertThat(h.getAll(XFCC)).containsExactly("Hash=front");
  }
}
