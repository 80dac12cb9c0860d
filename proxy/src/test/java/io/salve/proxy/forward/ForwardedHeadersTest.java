package io.salve.proxy.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class ForwardedHeadersTest {
  private static HttpHeaders clientFields() {
    return new DefaultHttpHeaders()
        .add("X-Forwarded-For", "1.2.3.4")
        .add("X-Forwarded-Proto", "https")
        .add("X-Forwarded-Host", "evil.test")
        .add("X-Forwarded-Prefix", "/evil")
        .add("X-Forwarded-Port", "443")
        .add("Forwarded", "for=1.2.3.4;proto=https")
        .add("X-Real-IP", "1.2.3.4");
  }

  @Test
  void untrustedPeerGetsXffAppendedAndEverythingElseReplacedOrDropped() {
    HttpHeaders h = clientFields();

    ForwardedHeaders.apply(h, "10.0.0.9", false, "corpus.test");

    assertThat(h.getAll("x-forwarded-for")).containsExactly("1.2.3.4, 10.0.0.9");
    assertThat(h.getAll("x-forwarded-proto")).containsExactly("http");
    assertThat(h.getAll("x-forwarded-host")).containsExactly("corpus.test");
    assertThat(h.contains("x-forwarded-prefix")).isFalse();
    assertThat(h.contains("x-forwarded-port")).isFalse();
    assertThat(h.contains("forwarded")).isFalse();
    assertThat(h.contains("x-real-ip")).isFalse();
  }

  @Test
  void trustedPeerKeepsItsFieldsAndGetsSalvesAppended() {
    HttpHeaders h = clientFields();

    ForwardedHeaders.apply(h, "10.0.0.9", true, "corpus.test");

    assertThat(h.getAll("x-forwarded-for")).containsExactly("1.2.3.4, 10.0.0.9");
    assertThat(h.getAll("x-forwarded-proto")).containsExactly("https, http");
    assertThat(h.getAll("x-forwarded-host")).containsExactly("evil.test, corpus.test");
    assertThat(h.getAll("x-forwarded-prefix")).containsExactly("/evil");
    assertThat(h.getAll("forwarded")).containsExactly("for=1.2.3.4;proto=https");
    assertThat(h.getAll("x-real-ip")).containsExactly("1.2.3.4");
  }

  @Test
  void repeatedLinesAreJoinedBeforeAppending() {
    HttpHeaders h = new DefaultHttpHeaders()
        .add("X-Forwarded-For", "1.1.1.1")
        .add("x-forwarded-for", "2.2.2.2, 3.3.3.3")
        .add("Via", "1.0 a")
        .add("Via", "1.1 b");

    ForwardedHeaders.apply(h, "10.0.0.9", false, null);

    assertThat(h.getAll("x-forwarded-for")).containsExactly("1.1.1.1, 2.2.2.2, 3.3.3.3, 10.0.0.9");
    assertThat(h.getAll("via")).containsExactly("1.0 a, 1.1 b, 1.1 salve");
    assertThat(h.contains("x-forwarded-host")).isFalse();
  }

  @Test
  void noClientFieldsAtAll() {
    HttpHeaders h = new DefaultHttpHeaders();

    String id = ForwardedHeaders.apply(h, "127.0.0.1", false, "a");

    assertThat(h.get("x-forwarded-for")).isEqualTo("127.0.0.1");
    assertThat(h.get("x-forwarded-proto")).isEqualTo("http");
    assertThat(h.get("via")).isEqualTo("1.1 salve");
    assertThat(id).hasSize(32).isEqualTo(h.get("x-request-id"));
  }

  @Test
  void keepsAClientRequestId() {
    HttpHeaders h = new DefaultHttpHeaders().add("X-Request-Id", "abc");

    assertThat(ForwardedHeaders.apply(h, "127.0.0.1", false, "a")).isEqualTo("abc");
  }

  @Test
  void dropsEverySalveControlField() {
    HttpHeaders h = new DefaultHttpHeaders()
        .add("X-Salve-Upstream", "evil")
        .add("x-salve-error", "none")
        .add("X-SALVE-ROUTE", "x")
        .add("X-Salvage", "kept")
        .add("x-salve", "kept too");

    ForwardedHeaders.dropSalveHeaders(h);

    assertThat(h.names()).containsExactlyInAnyOrder("X-Salvage", "x-salve");
  }
}
