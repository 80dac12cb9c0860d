package io.salve.proxy.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.salve.config.ListenerLimits;
import io.salve.proxy.codec.MalformedMessageException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestChecksTest {
  private static final ListenerLimits LIMITS =
      new ListenerLimits(8192, 32768, 100, -1, Duration.ofSeconds(10), Duration.ofSeconds(60));

  private static HttpRequest get(String uri, String... headers) {
    return request(HttpVersion.HTTP_1_1, HttpMethod.GET, uri, headers);
  }

  private static HttpRequest request(HttpVersion v, HttpMethod m, String uri, String... headers) {
    HttpRequest r = new DefaultHttpRequest(v, m, uri);
    for (int i = 0; i < headers.length; i += 2) {
      r.headers().add(headers[i], headers[i + 1]);
    }
    return r;
  }

  private static Integer status(HttpRequest r) {
    RequestChecks.Rejection rej = RequestChecks.check(r, LIMITS);
    return rej == null ? null : rej.status().code();
  }

  @Test
  void plainRequestPasses() {
    assertThat(status(get("/", "Host", "a.test"))).isNull();
    assertThat(status(get("http://a.test/x", "Host", "b.test"))).isNull();
  }

  @Test
  void hostRules() {
    assertThat(status(get("/"))).as("1.1 without Host").isEqualTo(400);
    assertThat(status(get("/", "Host", "a.test", "Host", "a.test"))).as("two Host").isEqualTo(400);
    assertThat(status(get("/", "Host", "user@a.test"))).as("userinfo").isEqualTo(400);
    assertThat(status(get("/", "Host", ""))).as("empty").isEqualTo(400);
    assertThat(status(request(HttpVersion.HTTP_1_0, HttpMethod.GET, "/"))).as("1.0 without Host").isNull();
  }

  @Test
  void onlyHttp10And11() {
    assertThat(status(request(new HttpVersion("HTTP", 2, 0, true), HttpMethod.GET, "/", "Host", "a"))).isEqualTo(505);
    assertThat(status(request(new HttpVersion("HTTP", 1, 2, true), HttpMethod.GET, "/", "Host", "a"))).isEqualTo(505);
    assertThat(status(request(new HttpVersion("HTTP", 0, 9, true), HttpMethod.GET, "/", "Host", "a"))).isEqualTo(505);
  }

  @Test
  void methodsAndTargetForms() {
    assertThat(status(request(HttpVersion.HTTP_1_1, HttpMethod.CONNECT, "a:443", "Host", "a:443"))).isEqualTo(405);
    assertThat(status(request(HttpVersion.HTTP_1_1, HttpMethod.valueOf("get"), "/", "Host", "a"))).isEqualTo(501);
    assertThat(status(request(HttpVersion.HTTP_1_1, HttpMethod.valueOf("Get"), "/", "Host", "a"))).isEqualTo(501);
    assertThat(status(request(HttpVersion.HTTP_1_1, HttpMethod.valueOf("PROPFIND"), "/", "Host", "a"))).isNull();
    assertThat(status(request(HttpVersion.HTTP_1_1, HttpMethod.OPTIONS, "*", "Host", "a"))).isEqualTo(501);
    assertThat(status(get("*", "Host", "a"))).isEqualTo(400);
    assertThat(status(request(HttpVersion.HTTP_1_1, HttpMethod.OPTIONS, "/x", "Host", "a"))).isNull();
  }

  @Test
  void headerCountLimit() {
    String[] hundred = new String[200];
    hundred[0] = "Host";
    hundred[1] = "a";
    for (int i = 1; i < 100; i++) {
      hundred[2 * i] = "X-F-" + i;
      hundred[2 * i + 1] = "1";
    }
    assertThat(status(get("/", hundred))).as("100 fields").isNull();
    HttpRequest r = get("/", hundred);
    r.headers().add("X-F-100", "1");
    assertThat(status(r)).as("101 fields").isEqualTo(431);
  }

  @ParameterizedTest(name = "Content-Length [{0}] -> {1}")
  @CsvSource(
      delimiter = '|',
      nullValues = "ok",
      value = {
        "5                   | ok",
        "0                   | ok",
        "+5                  | 400",
        "-1                  | 400",
        "5, 6                | 400",
        "5, 5                | 400",
        "0x5                 | 400",
        "1 0                 | 400",
        "5.0                 | 400",
        "99999999999999999999 | 400",
        "1234567890123456789 | 400",
      })
  void contentLengthMustBeOneDecimal(String value, Integer expected) {
    assertThat(status(request(HttpVersion.HTTP_1_1, HttpMethod.POST, "/", "Host", "a", "Content-Length", value)))
        .isEqualTo(expected);
  }

  @Test
  void emptyContentLengthAndDuplicates() {
    assertThat(status(request(HttpVersion.HTTP_1_1, HttpMethod.POST, "/", "Host", "a", "Content-Length", "")))
        .isEqualTo(400);
    assertThat(status(request(HttpVersion.HTTP_1_1, HttpMethod.POST, "/", "Host", "a", "Content-Length", "5",
        "Content-Length", "5"))).as("5/5 on two lines").isEqualTo(400);
  }

  @ParameterizedTest(name = "Transfer-Encoding [{0}] -> {1}")
  @CsvSource(
      delimiter = '|',
      nullValues = "ok",
      value = {
        "chunked             | ok",
        "Chunked             | ok",
        " chunked            | ok",
        "gzip, chunked       | 501",
        "gzip,deflate,chunked | 501",
        "chunked, gzip       | 400",
        "chunked, identity   | 400",
        "chunked, chunked    | 400",
        "identity            | 400",
        "xchunked            | 400",
        "', chunked'         | 400",
        "'chunked, '         | 400",
        "gzip;q=1, chunked   | 400",
        "'g zip, chunked'    | 400",
      })
  void transferCodings(String value, Integer expected) {
    assertThat(status(request(HttpVersion.HTTP_1_1, HttpMethod.POST, "/", "Host", "a", "Transfer-Encoding", value)))
        .isEqualTo(expected);
  }

  @Test
  void transferEncodingAcrossLinesIsOneList() {
    assertThat(status(request(HttpVersion.HTTP_1_1, HttpMethod.POST, "/", "Host", "a",
        "Transfer-Encoding", "chunked", "Transfer-Encoding", "identity"))).isEqualTo(400);
    assertThat(status(request(HttpVersion.HTTP_1_1, HttpMethod.POST, "/", "Host", "a",
        "Transfer-Encoding", "gzip", "Transfer-Encoding", "chunked"))).isEqualTo(501);
  }

  @Test
  void transferEncodingWithContentLengthOrInHttp10() {
    assertThat(status(request(HttpVersion.HTTP_1_1, HttpMethod.POST, "/", "Host", "a",
        "Transfer-Encoding", "chunked", "Content-Length", "5"))).isEqualTo(400);
    assertThat(status(request(HttpVersion.HTTP_1_0, HttpMethod.POST, "/", "Host", "a",
        "Transfer-Encoding", "chunked"))).isEqualTo(400);
  }

  @ParameterizedTest(name = "Content-Length {0} with limit {1} -> {2}")
  @CsvSource(nullValues = "ok", value = {"2000, 1024, 413", "1024, 1024, ok", "2000, -1, ok", "0, 0, ok", "1, 0, 413"})
  void bodyLimit(String contentLength, long limit, Integer expected) {
    HttpRequest r = request(HttpVersion.HTTP_1_1, HttpMethod.POST, "/", "Host", "a", "Content-Length", contentLength);
    RequestChecks.Rejection rej = RequestChecks.bodyLimit(r, limit);
    assertThat(rej == null ? null : rej.status().code()).isEqualTo(expected);
  }

  @Test
  void bodyLimitWithoutContentLength() {
    assertThat(RequestChecks.bodyLimit(get("/", "Host", "a"), 0)).isNull();
  }

  @Test
  void decoderFailuresMapToStatuses() {
    assertThat(RequestChecks.decoderFailure(new TooLongHttpLineException("x")).status().code()).isEqualTo(414);
    assertThat(RequestChecks.decoderFailure(new TooLongHttpHeaderException("x")).status().code()).isEqualTo(431);
    assertThat(RequestChecks.decoderFailure(new TooLongFrameException("x")).status().code()).isEqualTo(400);
    assertThat(RequestChecks.decoderFailure(new IllegalArgumentException("x")).status().code()).isEqualTo(400);
    RequestChecks.Rejection salve = RequestChecks.decoderFailure(new MalformedMessageException("obs-fold", new TooLongHttpLineException("x")));
    assertThat(salve.status().code()).as("a chunk line too long is a bad body, not a long URI").isEqualTo(400);
    assertThat(salve.message()).isEqualTo("obs-fold");
  }
}
