package io.salve.proxy.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HopByHopTest {
  private static HttpHeaders headers(String... nameValues) {
    HttpHeaders h = new DefaultHttpHeaders();
    for (int i = 0; i < nameValues.length; i += 2) {
      h.add(nameValues[i], nameValues[i + 1]);
    }
    return h;
  }

  @Test
  void removesNominatedFieldsAndTheFixedHopByHopSet() {
    HttpHeaders h = headers(
        "Connection", "keep-alive, X-Hop",
        "X-Hop", "1",
        "Keep-Alive", "timeout=5",
        "Proxy-Connection", "keep-alive",
        "TE", "trailers",
        "Trailer", "X-T",
        "Transfer-Encoding", "chunked",
        "Upgrade", "h2c",
        "X-End", "2",
        "Content-Length", "5");

    assertThat(HopByHop.strip(h)).isTrue();

    assertThat(h.names()).containsExactlyInAnyOrder("X-End", "Content-Length");
  }

  @Test
  void nominationsAreCaseInsensitiveAndMayBeSpreadOverLines() {
    HttpHeaders h = headers("Connection", "x-a", "connection", "X-B ,, ", "X-A", "1", "x-b", "2", "X-C", "3");

    assertThat(HopByHop.strip(h)).isTrue();

    assertThat(h.names()).containsExactly("X-C");
  }

  @Test
  void aNominatedFieldOfTheFixedSetGoesWhateverItsCase() {
    HttpHeaders h = headers("connection", "UPGRADE, te", "upgrade", "websocket", "Te", "trailers", "X-Keep", "1");

    assertThat(HopByHop.strip(h)).isTrue();

    assertThat(h.names()).containsExactly("X-Keep");
  }

  @ParameterizedTest(name = "Connection: {0}")
  @ValueSource(strings = {"content-length", "Content-Length", "transfer-encoding", "close, Transfer-Encoding", "HOST"})
  void refusesToRemoveFramingOrHost(String connection) {
    HttpHeaders h = headers("Connection", connection, "Host", "a", "Content-Length", "5");

    assertThat(HopByHop.strip(h)).isFalse();
  }

  @Test
  void leavesEndToEndFieldsAlone() {
    HttpHeaders h = headers("Host", "a", "Authorization", "x", "Cache-Control", "no-cache", "Via", "1.1 a");

    assertThat(HopByHop.strip(h)).isTrue();

    assertThat(h.names()).containsExactlyInAnyOrder("Host", "Authorization", "Cache-Control", "Via");
  }
}
