package io.salve.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressesTest {
  @Test
  void hostPort_namesIpv4AndBracketedIpv6() {
    assertThat(Addresses.hostPort("orders-0.orders:8080")).isEqualTo(new HostPort("orders-0.orders", 8080));
    assertThat(Addresses.hostPort("0.0.0.0:0")).isEqualTo(new HostPort("0.0.0.0", 0));
    assertThat(Addresses.hostPort("[::1]:65535")).isEqualTo(new HostPort("::1", 65535));
    assertThat(Addresses.hostPort("[fe80::1:2]:80")).isEqualTo(new HostPort("fe80::1:2", 80));
    assertThat(Addresses.hostPort("my_host:1")).isEqualTo(new HostPort("my_host", 1));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "host", ":80", "host:", "host:65536", "host:-1", "host:8o", "::1:80", "[::1]80",
      "[::1", "[host]:80", "[1.2.3.4]:80", "256.0.0.1:80", "1.2.3:80", "01.2.3.4:80", "bad host:80", "-a.b:80",
      "a..b:80", "h/x:80"})
  void hostPort_rejects(String text) {
    assertThat(Addresses.hostPort(text)).isNull();
  }

  @Test
  void cidr_parsesBlocksAndSingleAddresses() {
    assertThat(Addresses.cidr("10.0.0.0/8")).hasToString("10.0.0.0/8");
    assertThat(Addresses.cidr("10.1.2.3/8")).hasToString("10.0.0.0/8");
    assertThat(Addresses.cidr("10.1.2.3")).hasToString("10.1.2.3/32");
    assertThat(Addresses.cidr("0.0.0.0/0").contains(new byte[] {1, 2, 3, 4})).isTrue();
    assertThat(Addresses.cidr("::1")).hasToString("0:0:0:0:0:0:0:1/128");
    assertThat(Addresses.cidr("fd00::/8").prefixLength()).isEqualTo(8);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1", "::/129", "localhost", "10.0.0/8",
      "1.2.3.4/8/8", "zz::1", "[::1]"})
  void cidr_rejects(String text) {
    assertThat(Addresses.cidr(text)).isNull();
  }
}
