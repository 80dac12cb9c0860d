package io.salve.proxy.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReceivedHeadTest {
  private static ReceivedHead split(String head) {
    return ReceivedHead.split(head.getBytes(StandardCharsets.ISO_8859_1));
  }

  private static String written(IndexedHeaders headers) {
    ByteBuf out = Unpooled.buffer();
    try {
      headers.writeTo(out);
      return out.toString(StandardCharsets.ISO_8859_1);
    } finally {
      out.release();
    }
  }

  @Test
  void splitsARequestLineAndItsFields() {
    ReceivedHead head = split("\r\nGET /a?b=c HTTP/1.1\r\nHost: x\r\nAccept:  text/plain \t\r\nX-Two: 1\r\nx-two: 2\r\n\r\n");

    HttpRequest req = head.request();
    assertThat(req.method()).isSameAs(HttpMethod.GET);
    assertThat(req.uri()).isEqualTo("/a?b=c");
    assertThat(req.protocolVersion()).isSameAs(HttpVersion.HTTP_1_1);
    HttpHeaders h = req.headers();
    assertThat(h.get("host")).isEqualTo("x");
    assertThat(h.get(HttpHeaderNames.ACCEPT)).isEqualTo("text/plain");
    assertThat(h.getAll("X-TWO")).containsExactly("1", "2");
    assertThat(h.contains("x-three")).isFalse();
    assertThat(h.size()).isEqualTo(4);
    assertThat(head.passable()).isTrue();
    assertThat(head.contentLength()).isEqualTo(-1);
  }

  @Test
  void otherMethodsAndVersions() {
    assertThat(split("PATCH / HTTP/1.0\r\n\r\n").request().method()).isSameAs(HttpMethod.PATCH);
    assertThat(split("POST / HTTP/1.0\r\n\r\n").request().protocolVersion()).isSameAs(HttpVersion.HTTP_1_0);
    assertThat(split("BREW / HTTP/1.1\r\n\r\n").request().method().name()).isEqualTo("BREW");
    assertThat(split("GET / HTTP/1.2\r\n\r\n").request()).as("left to Netty's decoder").isNull();
    assertThat(split("HTTP/2.0 200 OK\r\n\r\n").response()).isNull();
  }

  @Test
  void statusLines() {
    HttpResponse ok = split("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n").response();
    assertThat(ok.status()).isSameAs(HttpResponseStatus.OK);
    assertThat(split("HTTP/1.1 404 Nope, not here\r\n\r\n").response().status().reasonPhrase()).isEqualTo("Nope, not here");
    assertThat(split("HTTP/1.1 204\r\n\r\n").response().status().code()).isEqualTo(204);
    assertThat(split("HTTP/1.1 599 Custom\r\n\r\n").statusCode()).isEqualTo(599);
  }

  @Test
  void onlyPlainFramingIsPassable() {
    assertThat(split("POST / HTTP/1.1\r\nContent-Length: 42\r\n\r\n").contentLength()).isEqualTo(42);
    assertThat(split("POST / HTTP/1.1\r\ncontent-LENGTH: 0\r\n\r\n").passable()).isTrue();
    for (String framing :
        List.of(
            "Transfer-Encoding: chunked",
            "Content-Length: 1\r\nContent-Length: 1",
            "Content-Length: 1, 1",
            "Content-Length: +1",
            "Content-Length: 1e3",
            "Content-Length:",
            "Content-Length: 1234567890123456789")) {
      assertThat(split("POST / HTTP/1.1\r\n" + framing + "\r\n\r\n").passable()).as(framing).isFalse();
    }
  }

  @Test
  void writesTheReceivedLinesAsTheyCameWithEditsSplicedIn() {
    IndexedHeaders h = split("GET / HTTP/1.1\r\nHost: x\r\nConnection:  keep-alive, foo\r\nFoo: 1\r\nA: b\r\n\r\n").headers();
    assertThat(written(h)).isEqualTo("Host: x\r\nConnection:  keep-alive, foo\r\nFoo: 1\r\nA: b\r\n");
    assertThat(h.edited()).isFalse();

    h.remove("connection").remove("FOO");
    h.add("X-Forwarded-For", "10.0.0.1");
    h.set(HttpHeaderNames.HOST, "y");

    assertThat(h.edited()).isTrue();
    assertThat(written(h)).isEqualTo("A: b\r\nX-Forwarded-For: 10.0.0.1\r\nhost: y\r\n");
    assertThat(h.get("host")).isEqualTo("y");
    assertThat(h.size()).isEqualTo(3);
    assertThat(h.names()).containsExactly("A", "X-Forwarded-For", "host");
    assertThat(h.entries()).extracting(Map.Entry::getValue).containsExactly("b", "10.0.0.1", "y");
  }

  @Test
  void readsThroughTheHttpHeadersContract() {
    IndexedHeaders h =
        split("GET / HTTP/1.1\r\nTE: gzip, Trailers\r\nMax-Forwards: 7\r\nBad-Int: x\r\nDate: Sun, 06 Dec 2026 06:00:00 GMT\r\n\r\n")
            .headers();
    assertThat(h.containsValue("te", "trailers", true)).isTrue();
    assertThat(h.containsValue("te", "trailers", false)).isFalse();
    assertThat(h.containsValue("transfer-encoding", "chunked", true)).isFalse();
    assertThat(h.getInt("max-forwards")).isEqualTo(7);
    assertThat(h.getInt("bad-int", -1)).isEqualTo(-1);
    assertThat(h.getTimeMillis("date")).isEqualTo(1796536800000L);
    assertThat(h.nameAt(1).toString()).isEqualTo("Max-Forwards");

    h.clear();
    assertThat(h.isEmpty()).isTrue();
    assertThat(written(h)).isEmpty();
    assertThat(h.iteratorCharSequence().hasNext()).isFalse();
  }

  @Test
  void listQuestionsAreAnsweredOnTheBytesAsNettysMapAnswersThem() {
    String[] lines = {"close", "Close", " close ", "keep-alive, close", "keep-alive,close,", "closed", "a,,b", ",close",
        "close,", "", "x, y ,  z", "keep-alive"};
    String[] questions = {"close", "CLOSE", "", "b", "z", "keep-alive", "y"};
    for (String line : lines) {
      IndexedHeaders h = split("HTTP/1.1 200 OK\r\nConnection: " + line + "\r\nConnection: other\r\n\r\n").headers();
      HttpHeaders netty = new DefaultHttpHeaders().add("connection", line.strip()).add("connection", "other");
      for (String q : questions) {
        for (boolean ignoreCase : new boolean[] {true, false}) {
          assertThat(h.containsValue("connection", q, ignoreCase))
              .as("[%s] has [%s], ignoring case: %s", line, q, ignoreCase)
              .isEqualTo(netty.containsValue("connection", q, ignoreCase));
        }
      }
    }
    IndexedHeaders h = split("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").headers();
    assertThat(h.getAll("connection")).isEmpty();
    h.add("Connection", "close");
    assertThat(h.containsValue("connection", "close", true)).as("an added field counts").isTrue();
    assertThat(h.getAll("connection")).containsExactly("close");
  }

  @Test
  void removesFieldsPastTheSixtyFourthToo() {
    StringBuilder head = new StringBuilder("GET / HTTP/1.1\r\n");
    for (int i = 0; i < 70; i++) {
      head.append("F").append(i).append(": ").append(i).append("\r\n");
    }
    IndexedHeaders h = split(head.append("\r\n").toString()).headers();
    h.remove("f3").remove("F63").remove("f64").remove("F69");
    assertThat(h.size()).isEqualTo(66);
    assertThat(h.contains("F3")).isFalse();
    assertThat(h.contains("F64")).isFalse();
    assertThat(h.get("F65")).isEqualTo("65");
    assertThat(written(h)).doesNotContain("F3: ", "F63: ", "F64: ", "F69: ").contains("F2: 2\r\nF4: 4", "F62: 62\r\nF65: 65");
  }

  @Test
  void addedFieldsAreValidatedAndKeptInOrder() {
    IndexedHeaders h = split("GET / HTTP/1.1\r\nHost: x\r\n\r\n").headers();
    h.add("Via", "1.1 a").addInt("X-N", 7).add("via", List.of("1.1 b", "1.1 c"));

    assertThat(h.getAll("VIA")).containsExactly("1.1 a", "1.1 b", "1.1 c");
    assertThat(h.getInt("x-n")).isEqualTo(7);
    h.remove("Via");
    assertThat(h.contains("via")).isFalse();
    assertThat(written(h)).isEqualTo("Host: x\r\nX-N: 7\r\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> h.add("Bad Name", "v"))
        .isInstanceOf(IllegalArgumentException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> h.add("X", "a\r\nInjected: 1"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(h.size()).isEqualTo(2);
  }
}
