package io.salve.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PathNormalizerTest {
  /** The accepted vectors of http-safety.md §6 and their canonical form, plus the rules around them. */
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        // http-safety.md §6
        "/public/../admin       | /admin",
        "/public/%2e%2e/admin   | /admin",
        "//admin                | /admin",
        "/./admin               | /admin",
        "/admin;x=1             | /admin;x=1",
        "/ADMIN                 | /ADMIN",
        "/admin/                | /admin/",
        // dot segments (RFC 3986 §5.2.4)
        "/                      | /",
        "/a/b/c                 | /a/b/c",
        "/public/./a/../b       | /public/b",
        "/a/..                  | /",
        "/a/b/..                | /a/",
        "/a/.                   | /a/",
        "/a/./                  | /a/",
        "/./                    | /",
        "/a/%2E%2E/b            | /b",
        "/a/.%2e/b              | /b",
        "/.hidden/..x/...       | /.hidden/..x/...",
        "/a;x/../b              | /b",
        // slashes
        "///a//b///             | /a/b/",
        "/a//../b               | /b",
        // escapes: unreserved decoded, the rest kept with upper-case hex
        "/%61dmin               | /admin",
        "/%41%7e%2D%5f%30       | /A~-_0",
        "/caf%c3%a9             | /caf%C3%A9",
        "/a%3bb                 | /a%3Bb",
        "/a%252e%252e/b         | /a%252e%252e/b",
        "/a%20b                 | /a%20b",
        "/a%23b                 | /a%23b",
      })
  void canonicalForm(String path, String expected) throws Exception {
    assertThat(PathNormalizer.normalize(path)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} is stable")
  @ValueSource(
      strings = {"/public/../admin", "//admin", "/caf%c3%a9", "/%61dmin", "/a/b/..", "/a%252e%252e/b", "/admin;x=1"})
  void canonicalFormIsAFixedPoint(String path) throws Exception {
    String once = PathNormalizer.normalize(path);
    assertThat(PathNormalizer.normalize(once)).isEqualTo(once);
  }

  /** The refused vectors of http-safety.md §6, and what else cannot be canonicalised safely. */
  @ParameterizedTest(name = "{0} refused")
  @ValueSource(
      strings = {
        // http-safety.md §6
        "/public/%2E%2E%2Fadmin",
        "/public%2f..%2fadmin",
        "/admin%00",
        "/admin#x",
        "\\admin",
        // climbing above the root
        "/..",
        "/../admin",
        "/a/../../admin",
        "/%2e%2e/admin",
        "/a/%2e%2e/%2E%2E/admin",
        // dot segments with path parameters (servlet containers read "..;x" as "..")
        "/public/..;/admin",
        "/a/..;x/b",
        "/a/.;x/b",
        // structure-changing or control escapes
        "/a%2Fb",
        "/a%5cb",
        "/a%5Cb",
        "/a%0d%0aX:1",
        "/a%7f",
        "/a%1F",
        // malformed escapes
        "/a%",
        "/a%2",
        "/a%zz",
        "/a%g0",
        // raw characters outside visible ASCII, backslash, fragment
        "/a b",
        "/a\tb",
        "/a\u0000",
        "/a\u007f",
        "/caf\u00e9",
        "/public\\..\\admin",
        "/a#",
        // not a path
        "",
        "admin",
        "*",
      })
  void refused(String path) {
    assertThatThrownBy(() -> PathNormalizer.normalize(path)).isInstanceOf(PathNormalizer.InvalidPathException.class);
  }
}
