package io.salve.config;

import static io.salve.config.ConfigTesting.errors;
import static io.salve.config.ConfigTesting.load;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code upstreams.<u>.protocol}: http1 (default), h2c (cleartext) or h2 (over TLS, by ALPN). */
class UpstreamProtocolConfigTest {
  private static String upstream(String extra) {
    return """
        listeners:
          - { name: in, address: 127.0.0.1:15000, routes: [{ upstream: app }] }
        upstreams:
          app:
            endpoints: [127.0.0.1:8080]
        %s
        """.formatted(extra.indent(4).stripTrailing());
  }

  @Test
  void defaultsToHttp1() {
    assertThat(load(upstream("")).upstreams().get("app").protocol()).isEqualTo(UpstreamProtocol.HTTP1);
  }

  @Test
  void acceptsBothSpellings() {
    assertThat(load(upstream("protocol: h2c")).upstreams().get("app").protocol()).isEqualTo(UpstreamProtocol.H2C);
    assertThat(load(upstream("protocol: http1")).upstreams().get("app").protocol()).isEqualTo(UpstreamProtocol.HTTP1);
  }

  @Test
  void refusesAnUnknownProtocolWithItsPosition() {
    assertThat(errors(upstream("protocol: h3"))).singleElement().asString()
        .matches("6:15: .*")
        .contains("upstreams.app.protocol: h3").contains("http1").contains("h2c");
  }

  @Test
  void h2cIsCleartext_andH2NeedsTls() {
    assertThat(errors(upstream("protocol: h2c\ntls: {}"))).singleElement().asString()
        .matches("6:15: .*")
        .contains("upstreams.app.protocol: h2c is cleartext HTTP/2 and this upstream has tls");
    assertThat(errors(upstream("protocol: h2"))).singleElement().asString()
        .matches("6:15: .*")
        .contains("upstreams.app.protocol: h2 is HTTP/2 over TLS and this upstream has no tls");
  }

  @Test
  void h2OverTlsOffersH2ByAlpn_http1OverTlsOffersHttp11() {
    UpstreamConfig h2 = load(upstream("protocol: h2\ntls: {}")).upstreams().get("app");
    assertThat(h2.protocol()).isEqualTo(UpstreamProtocol.H2);
    assertThat(h2.protocol().http2()).isTrue();
    assertThat(h2.tls().alpn()).isEqualTo("h2");
    assertThat(load(upstream("tls: {}")).upstreams().get("app").tls().alpn()).isEqualTo("http/1.1");
  }

  @Test
  void aProtocolChangeIsAChangedUpstream() {
    assertThat(load(upstream("protocol: h2c")).upstreams().get("app"))
        .isNotEqualTo(load(upstream("")).upstreams().get("app"));
  }
}
