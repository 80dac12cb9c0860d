package io.salve.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.salve.it.support.H2Client;
import io.salve.it.support.LoopbackWireMock;
import io.salve.it.support.RawUpstream;
import io.salve.it.support.SalveHttp;
import io.salve.it.support.SalveProcess;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Cleartext HTTP/2 with prior knowledge on salve's listeners, against the real jar: requests on
 * streams go through to an HTTP/1.1 WireMock with everything an HTTP/1.1 request gets (routing,
 * retries, shedding, access log, metrics); HTTP/1.1 on the same port; the {@code protocols}
 * restrictions; a client's RST_STREAM ending the exchange. The defences and the drain are in {@link
 * Http2DefencesIT}; flow control in {@link Http2FlowControlIT}.
 */
class Http2ListenerIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String YAML =
      """
      admin: { address: 127.0.0.1:0 }
      listeners:
        - name: both
          address: 127.0.0.1:0
          routes:
            - name: flaky
              match: { pathPrefix: /flaky }
              upstream: main
              retry: { maxAttempts: 3, retryOn: [503], backoff: { initial: 10ms, max: 20ms, jitter: none } }
            - name: report
              match: { pathPrefix: /report }
              upstream: main
              criticality: sheddable
            - name: app
              match: { pathPrefix: /app }
              upstream: main
            - name: held
              match: { pathPrefix: /held }
              upstream: raw
        - name: h2only
          address: 127.0.0.1:0
          protocols: [h2c]
          routes:
            - match: { pathPrefix: / }
              upstream: main
        - name: h1only
          address: 127.0.0.1:0
          protocols: [http1]
          routes:
            - match: { pathPrefix: / }
              upstream: main
      upstreams:
        main:
          endpoints: [127.0.0.1:%d]
        raw:
          endpoints: [127.0.0.1:%d]
      """;

  private static WireMockServer wm;
  private static RawUpstream raw;
  private static SalveProcess salve;
  private static int port;
  private H2Client h2;

  @BeforeAll
  static void start() throws Exception {
    wm = LoopbackWireMock.start();
    raw = new RawUpstream();
    salve = SalveProcess.start(YAML.formatted(wm.port(), raw.port()));
    port = salve.port("both");
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      LoopbackWireMock.stopAll(salve, wm);
    } finally {
      raw.close();
    }
  }

  @AfterEach
  void reset() {
    if (h2 != null) {
      h2.close();
    }
    wm.resetAll();
  }

  private H2Client client() throws InterruptedException {
    h2 = new H2Client(port);
    return h2;
  }

  @Test
  void aGetGoesThroughToAnHttp1Upstream_withHostFromAuthority_andNoHttp2Fields() throws Exception {
    wm.stubFor(get("/app/hello").willReturn(aResponse().withStatus(200).withHeader("Connection", "keep-alive").withBody("hello")));

    H2Client.Response r = client().get("/app/hello", port);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text()).isEqualTo("hello");
    assertThat(r.header("x-salve-upstream")).isEqualTo("main");
    assertThat(r.header("x-salve-attempts")).isEqualTo("1");
    assertThat(r.headers().contains("connection")).as("no connection-specific field in an HTTP/2 answer").isFalse();
    LoggedRequest seen = wm.findAll(getRequestedFor(urlEqualTo("/app/hello"))).get(0);
    assertThat(seen.getHeader("Host")).isEqualTo("127.0.0.1:" + port);
    assertThat(seen.getHeader("X-Forwarded-Proto")).isEqualTo("http");
    assertThat(seen.getHeaders().keys()).noneMatch(k -> k.toLowerCase().startsWith("x-http2-"));
  }

  @Test
  void largeBodiesBothWays_arriveByteForByte() throws Exception {
    byte[] up = random(3 << 20, 1);
    byte[] down = random(5 << 20, 2);
    wm.stubFor(post("/app/upload").willReturn(aResponse().withStatus(201).withBody(down)));

    H2Client.Response r = client().send("POST", "/app/upload", port, Map.of("content-length", Integer.toString(up.length)), up);

    assertThat(r.status()).isEqualTo(201);
    assertThat(Arrays.equals(r.body(), down)).as("the 5 MiB response, byte for byte").isTrue();
    LoggedRequest seen = wm.findAll(postRequestedFor(urlEqualTo("/app/upload"))).get(0);
    assertThat(Arrays.equals(seen.getBody(), up)).as("the 3 MiB request body, byte for byte").isTrue();
  }

  @Test
  void aStreamedBodyWithoutLength_goesUpChunked() throws Exception {
    wm.stubFor(post("/app/stream").willReturn(aResponse().withStatus(200).withBody("ok")));
    H2Client.Stream s = client().open();
    Http2StreamChannel ch = s.channel().get(5, TimeUnit.SECONDS);
    ch.writeAndFlush(new DefaultHttp2HeadersFrame(H2Client.headers("POST", "/app/stream", port), false));
    byte[] all = random(600 * 1024, 3);
    for (int i = 0; i < 6; i++) {
      boolean last = i == 5;
      ch.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(all, i * 100 * 1024, 100 * 1024), last));
      Thread.sleep(20); // parts in separate reads: the body streams, it is not one buffer
    }

    H2Client.Response r = s.response().get(10, TimeUnit.SECONDS);

    assertThat(r.status()).isEqualTo(200);
    LoggedRequest seen = wm.findAll(postRequestedFor(urlEqualTo("/app/stream"))).get(0);
    assertThat(seen.getHeader("Transfer-Encoding")).isEqualTo("chunked");
    assertThat(Arrays.equals(seen.getBody(), all)).isTrue();
  }

  @Test
  void manyConcurrentStreamsOnOneConnection_allAnswered() throws Exception {
    wm.stubFor(get(urlPathMatching("/app/many/.*")).willReturn(aResponse().withStatus(200).withFixedDelay(100).withBody("m")));
    H2Client c = client();
    List<CompletableFuture<H2Client.Response>> all = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      all.add(c.send(H2Client.headers("GET", "/app/many/" + i, port), null));
    }
    for (CompletableFuture<H2Client.Response> f : all) {
      assertThat(f.get(20, TimeUnit.SECONDS).status()).isEqualTo(200);
    }
    assertThat(wm.findAll(getRequestedFor(urlPathMatching("/app/many/.*")))).hasSize(80);
  }

  @Test
  void aRequestWithoutAuthorityOrHost_is400() throws Exception {
    Http2Headers noAuthority = new DefaultHttp2Headers().method("GET").path("/app/x").scheme("http");

    H2Client.Response r = client().send(noAuthority, null).get(10, TimeUnit.SECONDS);

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.header("x-salve-error")).isEqualTo("bad_request");
    assertThat(r.headers().contains("connection")).isFalse();
    assertThat(client().get("/app/none", port).status()).as("the connection lives on").isEqualTo(404);
  }

  @Test
  void aRetryOnAStream_isTheSameRetry() throws Exception {
    wm.stubFor(get("/flaky").inScenario("f").whenScenarioStateIs(STARTED)
        .willReturn(aResponse().withStatus(503)).willSetStateTo("once"));
    wm.stubFor(get("/flaky").inScenario("f").whenScenarioStateIs("once")
        .willReturn(aResponse().withStatus(200).withBody("second")));

    H2Client.Response r = client().get("/flaky", port);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text()).isEqualTo("second");
    assertThat(r.header("x-salve-attempts")).isEqualTo("2");
  }

  @Test
  void aShedRequestOnAStream_is503WithRetryAfter_andNeverReachesTheUpstream() throws Exception {
    HttpResponse<String> forced = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + salve.adminPort() + "/admin/load-state"))
            .PUT(HttpRequest.BodyPublishers.ofString("{\"state\": \"degraded\", \"for\": \"3s\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(forced.statusCode()).isEqualTo(200);

    H2Client.Response r = client().get("/report", port);

    assertThat(r.status()).isEqualTo(503);
    assertThat(r.header("x-salve-error")).isEqualTo("shed");
    assertThat(r.header("retry-after")).isNotNull();
    wm.verify(0, getRequestedFor(urlEqualTo("/report")));
    await().atMost(Duration.ofSeconds(8)).until(() -> client().get("/report", port).status() != 503);
  }

  @Test
  void aClientReset_endsTheExchange_at499_withoutWaitingForTheUpstream() throws Exception {
    wm.stubFor(get("/app/slow").willReturn(aResponse().withStatus(200).withFixedDelay(4000).withBody("late")));
    String id = "h2-rst-" + UUID.randomUUID();
    H2Client.Stream s = client().open();
    Http2StreamChannel ch = s.channel().get(5, TimeUnit.SECONDS);
    ch.writeAndFlush(new DefaultHttp2HeadersFrame(H2Client.headers("GET", "/app/slow", port).add("x-request-id", id), true));
    await().atMost(Duration.ofSeconds(5)).until(() -> wm.findAll(getRequestedFor(urlEqualTo("/app/slow"))).size() == 1);
    long resetAt = System.nanoTime();

    ch.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL));

    await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
      JsonNode line = logLine(id);
      assertThat(line).isNotNull();
      assertThat(line.path("status").asInt()).isEqualTo(499);
      assertThat(line.path("error").asText()).isEqualTo("client_closed");
      assertThat(line.path("protocol").asText()).isEqualTo("HTTP/2.0");
    });
    assertThat(Duration.ofNanos(System.nanoTime() - resetAt)).isLessThan(Duration.ofMillis(3500));
  }

  @Test
  void aClientReset_closesTheUpstreamConnection_asAClosedHttp1ClientDoes() throws Exception {
    raw.respondWith(req -> RawUpstream.Reply.of("", false)); // the upstream holds the request, unanswered
    try {
      H2Client.Stream s = client().open();
      Http2StreamChannel ch = s.channel().get(5, TimeUnit.SECONDS);
      ch.writeAndFlush(new DefaultHttp2HeadersFrame(H2Client.headers("GET", "/held", port), true));
      await().atMost(Duration.ofSeconds(5)).until(() -> raw.received().size() == 1);
      int connection = raw.received().get(0).connection();

      ch.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL));

      assertThat(raw.connection(connection).awaitClosedByPeer(Duration.ofSeconds(3)))
          .as("salve closed the upstream connection of the cancelled stream").isTrue();
    } finally {
      raw.respondWith(req -> RawUpstream.OK);
    }
  }

  @Test
  void theAccessLogAndTheRequestCounter_carryTheProtocol() throws Exception {
    wm.stubFor(get("/app/log").willReturn(aResponse().withStatus(200)));
    String id = "h2-log-" + UUID.randomUUID();
    SalveHttp http = new SalveHttp(salve, "both");
    Map<String, String> h2Labels = Map.of("listener", "both", "route", "app", "code", "200", "protocol", "HTTP/2.0");
    double before = http.counter("salve_requests_total", h2Labels);

    assertThat(client().send("GET", "/app/log", port, Map.of("x-request-id", id), null).status()).isEqualTo(200);

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      JsonNode line = logLine(id);
      assertThat(line).isNotNull();
      assertThat(line.path("protocol").asText()).isEqualTo("HTTP/2.0");
    });
    assertThat(http.counter("salve_requests_total", h2Labels) - before).isEqualTo(1.0);
    assertThat(http.get("/app/log").statusCode()).isEqualTo(200);
    assertThat(http.counter("salve_requests_total", Map.of("listener", "both", "route", "app", "protocol", "HTTP/1.1")))
        .isGreaterThanOrEqualTo(1.0);
  }

  @Test
  void http1OnTheSamePort_isServedAsBefore_andUpgradeH2cStaysHttp1() throws Exception {
    wm.stubFor(get("/app/h1").willReturn(aResponse().withStatus(200).withBody("one")));
    SalveHttp http = new SalveHttp(salve, "both");

    HttpResponse<String> r = http.send(http.request("/app/h1").header("X-Test", "1"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("one");

    String raw = rawHttp1(port, "GET /app/h1 HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\n"
        + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n");
    assertThat(raw).startsWith("HTTP/1.1 200 ").doesNotContainIgnoringCase("upgrade:").contains("\r\none\r\n");
  }

  @Test
  void anH2cOnlyListener_refusesHttp1_andServesH2() throws Exception {
    wm.stubFor(get("/only").willReturn(aResponse().withStatus(200).withBody("h2")));
    int only = salve.port("h2only");

    assertThat(rawHttp1(only, "GET /only HTTP/1.1\r\nHost: a\r\n\r\n"))
        .startsWith("HTTP/1.1 505 ").contains("http1_not_served");
    try (H2Client c = new H2Client(only)) {
      assertThat(c.get("/only", only).text()).isEqualTo("h2");
    }
    wm.verify(1, getRequestedFor(urlEqualTo("/only")));
  }

  @Test
  void anHttp1OnlyListener_takesThePrefaceForAMalformedRequest() throws Exception {
    String raw = rawHttp1(salve.port("h1only"), "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

    assertThat(raw).matches("(?s)HTTP/1.1 (400|505) .*");
    wm.verify(0, getRequestedFor(urlPathMatching(".*")));
  }

  @Test
  void nghttp_aRealClient_getsItsAnswers() throws Exception {
    java.nio.file.Path nghttp = java.nio.file.Path.of("/usr/bin/nghttp");
    org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(nghttp), "nghttp (nghttp2-client) not installed");
    wm.stubFor(get(urlPathMatching("/app/ng/.*")).willReturn(aResponse().withStatus(200).withBody("ng")));

    Process p = new ProcessBuilder(nghttp.toString(), "-n", "-s", "-m", "10",
        "http://127.0.0.1:" + port + "/app/ng/1").redirectErrorStream(true).start();
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out.lines().filter(l -> l.contains(" 200 ") && l.contains("/app/ng/1")).count()).as(out).isEqualTo(10);
  }

  /** @return everything the server sent until it closed (or 3s passed). */
  private static String rawHttp1(int port, String request) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(3000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder sb = new StringBuilder();
      byte[] buf = new byte[4096];
      try {
        int n;
        while ((n = in.read(buf)) > 0) {
          sb.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
          if (sb.indexOf("\r\n\r\n") > 0 && complete(sb)) {
            break;
          }
        }
      } catch (java.net.SocketTimeoutException e) {
        // what came is the answer
      }
      return sb.toString();
    }
  }

  private static boolean complete(StringBuilder sb) {
    int head = sb.indexOf("\r\n\r\n");
    String lower = sb.substring(0, head).toLowerCase();
    int at = lower.indexOf("content-length:");
    if (at < 0) {
      return false;
    }
    int len = Integer.parseInt(lower.substring(at + 15, lower.indexOf('\r', at)).trim());
    return sb.length() - head - 4 >= len;
  }

  private static JsonNode logLine(String requestId) throws Exception {
    for (String line : salve.stdout().split("\n")) {
      if (line.contains(requestId) && line.startsWith("{")) {
        return JSON.readTree(line);
      }
    }
    return null;
  }

  private static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }
}
