package io.salve.proxy.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestTargetTest {
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        // the accepted vectors of http-safety.md §6, in origin-form
        "/public/../admin       | /admin",
        "/public/%2e%2e/admin   | /admin",
        "//admin                | /admin",
        "/./admin               | /admin",
        "/admin;x=1             | /admin;x=1",
        "/ADMIN                 | /ADMIN",
        "/admin/                | /admin/",
        // the query is kept verbatim, only the path is canonicalised
        "/a/../b?x=%2F&y=../z   | /b?x=%2F&y=../z",
        "/a?                    | /a?",
        "/%61?%61               | /a?%61",
      })
  void originFormIsForwardedCanonical(String uri, String originForm) throws Exception {
    RequestTarget t = RequestTarget.parse(uri);
    assertThat(t.authority()).isNull();
    assertThat(t.originForm()).isEqualTo(originForm);
  }

  @Test
  void splitsPathAndQuery() throws Exception {
    RequestTarget t = RequestTarget.parse("/a/./b?q=1&r=%2e");
    assertThat(t.path()).isEqualTo("/a/b");
    assertThat(t.query()).isEqualTo("?q=1&r=%2e");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "http://upstream.test:8080/p?q=1 | upstream.test:8080 | /p?q=1",
        "HTTP://Upstream.Test/a/../b      | Upstream.Test      | /b",
        "http://upstream.test             | upstream.test      | /",
        "http://upstream.test?x=1         | upstream.test      | /?x=1",
        "http://[::1]:8080//admin         | [::1]:8080         | /admin",
      })
  void absoluteFormYieldsItsAuthorityAndAnOriginForm(String uri, String authority, String originForm) throws Exception {
    RequestTarget t = RequestTarget.parse(uri);
    assertThat(t.authority()).isEqualTo(authority);
    assertThat(t.originForm()).isEqualTo(originForm);
  }

  @ParameterizedTest(name = "{0} refused")
  @ValueSource(
      strings = {
        // the refused vectors of http-safety.md §6
        "/public/%2E%2E%2Fadmin",
        "/public%2f..%2fadmin",
        "/admin%00",
        "/admin#x",
        "\\admin",
        // other forms
        "*",
        "upstream.test:443",
        "https://upstream.test/",
        "ftp://upstream.test/",
        "http://user@upstream.test/",
        "http://user:pw@upstream.test/",
        "http:///p",
        "http://upstream.test:99999/",
        "http://a,b/",
        // query characters
        "/a?b#c",
        "/a?b c",
        "/a?caf\u00e9",
        "/a?\u0000",
        // climbing out through absolute-form
        "http://upstream.test/../x",
      })
  void refused(String uri) {
    assertThatThrownBy(() -> RequestTarget.parse(uri)).isInstanceOf(RequestTarget.InvalidTargetException.class);
  }

  @ParameterizedTest(name = "valid Host {0}")
  @ValueSource(
      strings = {
        "a", "corpus.test", "a-b.c_d~e", "1.2.3.4", "a:80", "a:0", "a:65535", "localhost:8080",
        "[::1]", "[::1]:8080", "[2001:db8::1]", "[::ffff:1.2.3.4]:1"
      })
  void validHosts(String host) {
    assertThat(RequestTarget.isValidHost(host)).isTrue();
  }

  @ParameterizedTest(name = "invalid Host [{0}]")
  @ValueSource(
      strings = {
        "", "user@a", "a/b", "a,b", "a, b", "a b", "a;b", "a%00", "a%2e", "a:", "a:8o", "a:65536",
        "a:123456", ":80", "[]", "[1.2.3.4]", "[::1", "[::1]x", "[::1]:", "[v1.x]", "a\u0000", "caf\u00e9"
      })
  void invalidHosts(String host) {
    assertThat(RequestTarget.isValidHost(host)).isFalse();
  }

  @Test
  void invalidHostsOfExtremeLength() {
    assertThat(RequestTarget.isValidHost("a".repeat(255))).isTrue();
    assertThat(RequestTarget.isValidHost("a".repeat(256))).isFalse();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"Example.COM:80, example.com", "[::1]:80, ::1", "[2001:DB8::1], 2001:db8::1", "a, a"})
  void hostOnlyIsLowerCaseWithoutPortOrBrackets(String host, String expected) {
    assertThat(RequestTarget.hostOnly(host)).isEqualTo(expected);
  }
}
