package io.salve.proxy.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.salve.config.HostPort;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LeaseRequestTest {

  @Test
  void parsesTheLeasePath() {
    assertThat(LeaseRequest.target("/admin/upstreams/app/endpoints/127.0.0.1:8080"))
        .isEqualTo(new LeaseRequest.Target("app", "127.0.0.1:8080"));
    assertThat(LeaseRequest.target("/admin/upstreams/app/endpoints/[::1]:8080"))
        .isEqualTo(new LeaseRequest.Target("app", "[::1]:8080"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/admin/upstreams/app/endpoints",
        "/admin/upstreams/app/endpoints/",
        "/admin/upstreams//endpoints/a:1",
        "/admin/upstreams/app/endpoints/a:1/extra",
        "/admin/upstreams/app/other/a:1",
        "/admin/state"
      })
  void rejectsOtherPaths(String path) {
    assertThat(LeaseRequest.target(path)).isNull();
  }

  @Test
  void parsesEndpoints() {
    assertThat(LeaseRequest.endpoint("127.0.0.1:8080")).isEqualTo(new HostPort("127.0.0.1", 8080));
    assertThat(LeaseRequest.endpoint("app-1.internal:65535")).isEqualTo(new HostPort("app-1.internal", 65535));
    assertThat(LeaseRequest.endpoint("localhost:1")).isEqualTo(new HostPort("localhost", 1));
    assertThat(LeaseRequest.endpoint("[::1]:9000")).isEqualTo(new HostPort("::1", 9000));
    assertThat(LeaseRequest.endpoint("[::1]:9000").toString()).isEqualTo("[::1]:9000");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "", "127.0.0.1", "127.0.0.1:", ":80", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:080",
        "256.0.0.1:80", "1.2.3:80", "bad_host-:80", "a..b:80", "host:port", "[::1]9000", "[zz]:80",
        "::1:80", "a b:80", "127.0.0.1:-1"
      })
  void rejectsBadEndpoints(String text) {
    assertThat(LeaseRequest.endpoint(text)).isNull();
  }

  @Test
  void parsesTtls() {
    assertThat(LeaseRequest.ttl("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(LeaseRequest.ttl("5s")).isEqualTo(Duration.ofSeconds(5));
    assertThat(LeaseRequest.ttl("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(LeaseRequest.ttl("1h")).isEqualTo(Duration.ofHours(1));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "5", "0s", "0ms", "-1s", "1.5s", "5 sec", "s", "9999999999s"})
  void rejectsBadTtls(String text) {
    assertThat(LeaseRequest.ttl(text)).isNull();
  }
}
