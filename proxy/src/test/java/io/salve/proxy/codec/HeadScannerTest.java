package io.salve.proxy.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HeadScannerTest {
  /**
   * Scans {@code head} byte by byte, in one bulk call, and in bulk pieces of 1 to 7 bytes; all must
   * agree, on the outcome and on where it stopped.
   *
   * @return the problem, "complete", or "incomplete"
   */
  private static String scan(HeadScanner.Kind kind, String head) {
    byte[] bytes = head.getBytes(StandardCharsets.ISO_8859_1);
    HeadScanner s = new HeadScanner(kind);
    int stop = -1;
    for (int i = 0; i < bytes.length && stop < 0; i++) {
      if (!s.process(bytes[i])) {
        stop = i;
      }
    }
    String outcome = outcome(s, stop);
    for (int piece = 1; piece <= 8; piece++) {
      HeadScanner bulk = new HeadScanner(kind);
      int bulkStop = -1;
      int step = piece == 8 ? bytes.length : piece; // 8: the whole head in one call
      for (int from = 0; from < bytes.length && bulkStop < 0; from += step) {
        bulkStop = bulk.scan(bytes, from, Math.min(bytes.length, from + step));
      }
      assertThat(outcome(bulk, bulkStop)).as("bulk scan in pieces of %d", step).isEqualTo(outcome);
      assertThat(bulkStop).as("where the bulk scan stopped, pieces of %d", step).isEqualTo(stop);
    }
    return outcome;
  }

  private static String outcome(HeadScanner s, int stop) {
    if (stop < 0) {
      return "incomplete";
    }
    return s.isComplete() ? "complete" : s.problem();
  }

  private static String request(String head) {
    return scan(HeadScanner.Kind.REQUEST, head);
  }

  private static String response(String head) {
    return scan(HeadScanner.Kind.RESPONSE, head);
  }

  @ParameterizedTest(name = "accepted request: {0}")
  @ValueSource(
      strings = {
        "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET / HTTP/1.0\r\n\r\n",
        "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "M-SEARCH * HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET http://a/b?c=%2F&d=~ HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET / HTTP/2.0\r\nHost: a\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nX-Empty:\r\nX-Tab:\tv\t\r\nX-Obs: caf\u00e9\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX-Odd: \"quoted\" (comment) <>{}\r\n\r\n",
      })
  void acceptsWellFormedRequestHeads(String head) {
    assertThat(request(head)).isEqualTo("complete");
  }

  @ParameterizedTest(name = "refused request: {0}")
  @ValueSource(
      strings = {
        "GET  / HTTP/1.1\r\n\r\n",
        "GET\t/ HTTP/1.1\r\n\r\n",
        " GET / HTTP/1.1\r\n\r\n",
        "\u0000GET / HTTP/1.1\r\n\r\n",
        "\nGET / HTTP/1.1\r\n\r\n",
        "\rGET / HTTP/1.1\r\n\r\n",
        "G(T / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1 \r\n\r\n",
        "GET /  HTTP/1.1\r\n\r\n",
        "GET /\r\n\r\n",
        "GET / http/1.1\r\n\r\n",
        "GET / HTTP/1.10\r\n\r\n",
        "GET / HTTP/1\r\n\r\n",
        "GET / HTTP/1.1\nHost: a\r\n\r\n",
        "GET /caf\u00e9 HTTP/1.1\r\n\r\n",
        "GET /a\u007f HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\n Host: a\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n\tb\r\n\r\n",
        "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
        "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n",
        "GET / HTTP/1.1\r\nX(A): a\r\n\r\n",
        "GET / HTTP/1.1\r\nX\u00e9: a\r\n\r\n",
        "GET / HTTP/1.1\r\n: a\r\n\r\n",
        "GET / HTTP/1.1\r\nX-A b\r\n\r\n",
        "GET / HTTP/1.1\r\nX-A: a\rb\r\n\r\n",
        "GET / HTTP/1.1\r\nX-A: a\u0000b\r\n\r\n",
        "GET / HTTP/1.1\r\nX-A: a\u007fb\r\n\r\n",
        "GET / HTTP/1.1\r\nX-A: a\u000bb\r\n\r\n",
        "GET / HTTP/1.1\r\nX-A: a\nX-B: b\r\n\r\n",
        "GET / HTTP/1.1\r\nX-A: a\r\n\n",
        "GET / HTTP/1.1\r\nX-A: a\r\n\r\r",
      })
  void refusesMalformedRequestHeads(String head) {
    String result = request(head);
    assertThat(result).isNotIn("complete", "incomplete");
  }

  @Test
  void namesTheProblem() {
    assertThat(request("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n")).contains("obs-fold");
    assertThat(request("GET / HTTP/1.1\r\nHost : a\r\n\r\n")).contains("whitespace between a field name and its colon");
    assertThat(request("GET / HTTP/1.1\nHost: a\n\n")).contains("bare LF");
    assertThat(request("GET / HTTP/1.1\r\nX: a\rb\r\n\r\n")).contains("bare CR");
  }

  @ParameterizedTest(name = "accepted response: {0}")
  @ValueSource(
      strings = {
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n",
        "HTTP/1.1 200\r\n\r\n",
        "HTTP/1.1 200 \r\n\r\n",
        "HTTP/1.0 404 Not  Found\t(really)\r\n\r\n",
        "HTTP/1.1 599 r\u00e9sum\u00e9\r\n\r\n",
      })
  void acceptsWellFormedResponseHeads(String head) {
    assertThat(response(head)).isEqualTo("complete");
  }

  @ParameterizedTest(name = "refused response: {0}")
  @ValueSource(
      strings = {
        "HTTX/1.1 200 OK\r\n\r\n",
        "http/1.1 200 OK\r\n\r\n",
        "HTTP/1.1 2OO OK\r\n\r\n",
        "HTTP/1.1 20 OK\r\n\r\n",
        "HTTP/1.1 099 Below a hundred\r\n\r\n",
        "HTTP/1.1 000 OK\r\n\r\n",
        "HTTP/1.1 2000 OK\r\n\r\n",
        "HTTP/1.1\r\n\r\n",
        "HTTP/1.1  200 OK\r\n\r\n",
        "\r\nHTTP/1.1 200 OK\r\n\r\n",
        "HTTP/1.1 200 OK\nContent-Length: 2\n\n",
        "HTTP/1.1 200 O\u0000K\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX: a\u0000\r\n\r\n",
      })
  void refusesMalformedResponseHeads(String head) {
    assertThat(response(head)).isNotIn("complete", "incomplete");
  }

  @Test
  void stopsRightAfterTheHeadAndResets() {
    HeadScanner s = new HeadScanner(HeadScanner.Kind.REQUEST);
    byte[] bytes = "GET / HTTP/1.1\r\nHost: a\r\n\r\n\u0000\u0000".getBytes(StandardCharsets.ISO_8859_1);
    int i = 0;
    while (s.process(bytes[i])) {
      i++;
    }
    assertThat(s.isComplete()).isTrue();
    assertThat(i).as("index of the last byte of the head").isEqualTo(bytes.length - 3);
    s.reset();
    assertThat(s.isComplete()).isFalse();
    assertThat(s.problem()).isNull();
  }
}
