package io.salve.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.salve.it.support.H2Client;
import io.salve.it.support.LoopbackWireMock;
import io.salve.it.support.RawH2;
import io.salve.it.support.SalveProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP/2 defences of a listener against the real jar, each attack written frame by frame
 * ({@link RawH2}): rapid reset, CONTINUATION flood, HPACK bomb, too many streams, PING flood,
 * connection-specific and bad pseudo-header fields. After each, salve still serves. And the drain:
 * GOAWAY, the stream in flight finishes, then the connection closes.
 */
class Http2DefencesIT {
  private static final long PROTOCOL_ERROR = 1, REFUSED_STREAM = 7, ENHANCE_YOUR_CALM = 11;
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String YAML =
      """
      admin: { address: 127.0.0.1:0 }
      drainTimeout: 10s
      listeners:
        - name: edge
          address: 127.0.0.1:0
          routes:
            - match: { pathPrefix: /app }
              upstream: main
        - name: tight
          address: 127.0.0.1:0
          protocols: [h2c]
          maxConcurrentStreams: 2
          maxHeaderSize: 4KiB
          routes:
            - match: { pathPrefix: / }
              upstream: main
        - name: idle
          address: 127.0.0.1:0
          idleTimeout: 1s
          requestHeaderTimeout: 500ms
          routes:
            - match: { pathPrefix: / }
              upstream: main
      upstreams:
        main:
          endpoints: [127.0.0.1:%d]
      """;

  private static WireMockServer wm;
  private static SalveProcess salve;
  private static int edge;
  private static int tight;

  @BeforeAll
  static void start() throws Exception {
    wm = LoopbackWireMock.start();
    wm.stubFor(get(urlPathMatching("/app/ok.*")).willReturn(aResponse().withStatus(200).withBody("ok")));
    wm.stubFor(get(urlPathMatching("/slow.*")).willReturn(aResponse().withStatus(200).withFixedDelay(1500).withBody("slow")));
    salve = SalveProcess.start(YAML.formatted(wm.port()));
    edge = salve.port("edge");
    tight = salve.port("tight");
  }

  @AfterAll
  static void stop() throws Exception {
    LoopbackWireMock.stopAll(salve, wm);
  }

  @AfterEach
  void stillServes() throws Exception {
    try (H2Client c = new H2Client(edge)) {
      assertThat(c.get("/app/ok", edge).status()).as("salve serves after the attack").isEqualTo(200);
    }
  }

  @Test
  void rapidReset_endsTheConnectionWithEnhanceYourCalm() throws Exception {
    try (RawH2 raw = new RawH2(edge)) {
      for (int i = 0; i < 300; i++) {
        int stream = 1 + 2 * i;
        raw.headers(stream, RawH2.get("/nowhere", edge), true); // no route: nothing goes upstream
        raw.rst(stream, 8); // CANCEL
      }
      raw.flush();

      RawH2.Frame goAway = raw.await(RawH2.GOAWAY, 0, WAIT);
      assertThat(goAway).as("GOAWAY after 200 resets in the window").isNotNull();
      assertThat(goAway.errorCode()).isEqualTo(ENHANCE_YOUR_CALM);
      assertThat(raw.closedWithin(WAIT)).isTrue();
    }
  }

  @Test
  void continuationFlood_isCutOff() throws Exception {
    try (RawH2 raw = new RawH2(edge)) {
      byte[] start = raw.encode(1, RawH2.get("/app/ok", edge));
      raw.frame(RawH2.HEADERS, 0, 1, start); // no END_HEADERS: CONTINUATION must follow
      byte[] block = literalFields(16 * 1024);
      CompletableFuture<Integer> sent = CompletableFuture.supplyAsync(() -> {
        int n = 0;
        try {
          for (; n < 2000; n++) { // 32 MiB of header block, far past any limit
            raw.frame(RawH2.CONTINUATION, 0, 1, block);
          }
          raw.flush();
        } catch (IOException e) {
          // the server closed: the point
        }
        return n;
      });

      RawH2.Frame goAway = raw.await(RawH2.GOAWAY, 0, WAIT);
      assertThat(goAway).as("GOAWAY on the flood").isNotNull();
      assertThat(raw.closedWithin(WAIT)).isTrue();
      assertThat(sent.get(10, TimeUnit.SECONDS)).as("CONTINUATION frames sent before salve stopped it").isLessThan(2000);
      wm.verify(0, getRequestedFor(urlEqualTo("/app/ok")).withHeader("x-flood", com.github.tomakehurst.wiremock.client.WireMock.matching(".*")));
    }
  }

  @Test
  void hpackBomb_isRefusedByTheDecodedSize() throws Exception {
    try (RawH2 raw = new RawH2(tight)) {
      ByteArrayOutputStream block = new ByteArrayOutputStream();
      block.writeBytes(raw.encode(1, RawH2.get("/bomb", tight)));
      // one 1000-byte field into the dynamic table (alone it is served), then 200 one-byte references
      // to it: 200 KB decoded from 1.2 KB sent
      block.write(0x40);
      literal(block, "x-bomb");
      literal(block, "a".repeat(1000));
      for (int i = 0; i < 200; i++) {
        block.write(0x80 | 62);
      }
      raw.frame(RawH2.HEADERS, RawH2.END_HEADERS | RawH2.END_STREAM, 1, block.toByteArray());
      raw.flush();

      RawH2.Frame answer = firstAnswer(raw, 1);
      assertThat(answer).isNotNull();
      assertThat(answer.type()).as("a response on the stream").isEqualTo(RawH2.HEADERS);
      assertThat(new String(answer.payload(), StandardCharsets.ISO_8859_1)).as(":status 431, a literal").contains("431");
      assertThat(answer.flags() & RawH2.END_STREAM).as("and nothing more").isEqualTo(RawH2.END_STREAM);
      wm.verify(0, getRequestedFor(urlEqualTo("/bomb")));
    }
  }

  @Test
  void streamsBeyondMaxConcurrentStreams_areRefused() throws Exception {
    try (RawH2 raw = new RawH2(tight)) {
      RawH2.Frame settings = raw.await(RawH2.SETTINGS, 0, WAIT);
      assertThat(setting(settings, 3)).as("SETTINGS_MAX_CONCURRENT_STREAMS").isEqualTo(2);
      assertThat(setting(settings, 6)).as("SETTINGS_MAX_HEADER_LIST_SIZE").isEqualTo(4096);
      raw.headers(1, RawH2.get("/slow/1", tight), true);
      raw.headers(3, RawH2.get("/slow/3", tight), true);
      raw.headers(5, RawH2.get("/slow/5", tight), true);
      raw.flush();

      RawH2.Frame reset = raw.await(RawH2.RST_STREAM, 5, WAIT);
      assertThat(reset).isNotNull();
      assertThat(reset.errorCode()).isEqualTo(REFUSED_STREAM);
      assertThat(raw.await(RawH2.DATA, 1, WAIT)).as("the admitted streams are answered").isNotNull();
    }
    wm.verify(0, getRequestedFor(urlEqualTo("/slow/5")));
  }

  @Test
  void pingFlood_againstAClientThatDoesNotRead_closesTheConnection() throws Exception {
    try (RawH2 raw = new RawH2(edge, 4096)) {
      // PINGs until salve ends the connection, never reading an ACK. Without the limit salve would
      // queue every ACK and read on: all 2M PINGs (34 MB of ACKs) would go out. With it, once its
      // socket is full and 10000 ACKs wait behind it, salve closes and a write fails.
      CompletableFuture<Integer> flood = CompletableFuture.supplyAsync(() -> {
        int batches = 0;
        try {
          for (; batches < 200; batches++) {
            raw.frames(RawH2.PING, 0, 0, new byte[8], 10_000);
          }
          raw.flush();
          return -1;
        } catch (IOException e) {
          return batches;
        }
      });

      int sentBatches = flood.get(60, TimeUnit.SECONDS);
      assertThat(sentBatches).as("batches of 10000 PINGs written before salve closed the connection")
          .isBetween(0, 199);
    }
  }

  @Test
  void connectionSpecificAndBadPseudoHeaders_areStreamErrors_theConnectionLivesOn() throws Exception {
    try (RawH2 raw = new RawH2(edge)) {
      raw.headers(1, RawH2.get("/app/ok", edge).add("connection", "keep-alive"), true);
      raw.headers(3, RawH2.get("/app/ok", edge).add(":bogus", "1"), true);
      raw.headers(5, RawH2.get("/app/ok", edge).add("te", "gzip"), true);
      raw.headers(7, RawH2.get("/app/ok/fields", edge), true);
      raw.flush();

      for (int stream : new int[] {1, 3, 5}) {
        RawH2.Frame f = firstAnswer(raw, stream);
        assertThat(f).as("stream %d", stream).isNotNull();
        assertThat(f.type()).as("stream %d is reset", stream).isEqualTo(RawH2.RST_STREAM);
        assertThat(f.errorCode()).isEqualTo(PROTOCOL_ERROR);
      }
      assertThat(raw.await(RawH2.DATA, 7, WAIT)).as("the good stream is answered").isNotNull();
    }
    wm.verify(1, getRequestedFor(urlPathMatching("/app/ok.*")).withHeader("x-forwarded-for", com.github.tomakehurst.wiremock.client.WireMock.matching(".*")).withUrl("/app/ok/fields"));
  }

  @Test
  void aDrain_sendsGoAway_finishesTheStreamInFlight_thenCloses() throws Exception {
    WireMockServer own = LoopbackWireMock.start();
    own.stubFor(get("/app/slow").willReturn(aResponse().withStatus(200).withFixedDelay(1500).withBody("finished")));
    SalveProcess draining = SalveProcess.start(YAML.formatted(own.port()));
    int port = draining.port("edge");
    try (H2Client c = new H2Client(port)) {
      CompletableFuture<H2Client.Response> slow = c.send(H2Client.headers("GET", "/app/slow", port), null);
      await().atMost(WAIT).until(() -> own.findAll(getRequestedFor(urlEqualTo("/app/slow"))).size() == 1);

      draining.terminate();

      assertThat(c.goAway().get(2, TimeUnit.SECONDS)).as("GOAWAY NO_ERROR").isEqualTo(0L);
      assertThat(slow).as("the stream in flight goes on").isNotDone();
      H2Client.Response r = slow.get(10, TimeUnit.SECONDS);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.text()).isEqualTo("finished");
      await().atMost(WAIT).until(() -> !c.isOpen());
      assertThat(draining.process().waitFor(15, TimeUnit.SECONDS)).isTrue();
      assertThat(draining.process().exitValue()).isZero();
      assertThat(draining.stderr()).doesNotContain("drain timeout reached").contains("drained 1 request");
      draining.assertNoLeaks();
    } finally {
      own.stop();
    }
  }

  @Test
  void aConnectionWithoutStreams_getsGoAwayAndIsClosed_afterTheIdleTimeout() throws Exception {
    int idle = salve.port("idle");
    try (H2Client c = new H2Client(idle)) {
      assertThat(c.get("/app/ok", idle).status()).isEqualTo(200);
      long answered = System.nanoTime();

      assertThat(c.goAway().get(5, TimeUnit.SECONDS)).as("GOAWAY NO_ERROR").isEqualTo(0L);
      await().atMost(WAIT).until(() -> !c.isOpen());
      assertThat(Duration.ofNanos(System.nanoTime() - answered)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
    }
  }

  @Test
  void aPrefaceThatStopsHalfway_getsTheRequestHeaderTimeout() throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", salve.port("idle"))) {
      s.setSoTimeout(5000);
      s.getOutputStream().write("PRI * HTTP/2.0\r\n".getBytes(StandardCharsets.US_ASCII));
      long sent = System.nanoTime();

      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);

      assertThat(answer).startsWith("HTTP/1.1 408 ").contains("request_timeout");
      assertThat(Duration.ofNanos(System.nanoTime() - sent)).isBetween(Duration.ofMillis(400), Duration.ofMillis(3000));
    }
  }

  @Test
  void aStreamInFlight_keepsTheConnectionPastTheIdleTimeout() throws Exception {
    int idle = salve.port("idle");
    try (H2Client c = new H2Client(idle)) {
      H2Client.Response r = c.get("/slow/idle", idle); // 1.5 s upstream, longer than the 1 s idle timeout
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.text()).isEqualTo("slow");
    }
  }

  @Test
  void aReload_givesNewConnectionsTheNewProtocolsAndStreamLimit() throws Exception {
    WireMockServer own = LoopbackWireMock.start();
    own.stubFor(get("/plain").willReturn(aResponse().withStatus(200).withBody("plain")));
    SalveProcess reloaded = SalveProcess.start(YAML.formatted(own.port()));
    int port = reloaded.port("tight");
    try (RawH2 before = new RawH2(port)) {
      assertThat(setting(before.await(RawH2.SETTINGS, 0, WAIT), 3)).isEqualTo(2);

      reloaded.rewriteConfig(YAML.formatted(own.port())
          .replace("protocols: [h2c]", "protocols: [http1, h2c]").replace("maxConcurrentStreams: 2", "maxConcurrentStreams: 5"));
      await().atMost(WAIT).until(() -> {
        Double applied = io.salve.it.support.Http.metric(reloaded.adminPort(), "salve_config_reloads_total", "result=applied");
        return applied != null && applied == 1.0;
      });

      try (RawH2 after = new RawH2(port)) {
        assertThat(setting(after.await(RawH2.SETTINGS, 0, WAIT), 3)).as("a new connection's limit").isEqualTo(5);
      }
      java.net.http.HttpResponse<String> plain = java.net.http.HttpClient.newBuilder()
          .version(java.net.http.HttpClient.Version.HTTP_1_1).build()
          .send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/plain")).build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(plain.statusCode()).as("HTTP/1.1 is served now").isEqualTo(200);
      before.headers(1, RawH2.get("/plain", port), true);
      before.flush();
      assertThat(before.await(RawH2.DATA, 1, WAIT)).as("the open connection lives on").isNotNull();
    } finally {
      reloaded.close();
      own.stop();
    }
  }

  /** @return the first RST_STREAM or HEADERS on {@code stream}, or a GOAWAY, whichever comes first. */
  private static RawH2.Frame firstAnswer(RawH2 raw, int stream) throws IOException {
    long end = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < end) {
      RawH2.Frame f = raw.read(WAIT);
      if (f == null) {
        return null;
      }
      if (f.type() == RawH2.GOAWAY || (f.stream() == stream && (f.type() == RawH2.RST_STREAM || f.type() == RawH2.HEADERS))) {
        return f;
      }
    }
    return null;
  }

  private static long setting(RawH2.Frame settings, int id) {
    byte[] p = settings.payload();
    for (int i = 0; i + 6 <= p.length; i += 6) {
      if (((p[i] & 0xFF) << 8 | (p[i + 1] & 0xFF)) == id) {
        return ((p[i + 2] & 0xFFL) << 24) | ((p[i + 3] & 0xFF) << 16) | ((p[i + 4] & 0xFF) << 8) | (p[i + 5] & 0xFF);
      }
    }
    return -1;
  }

  /** @return about {@code size} bytes of literal header fields (never indexed) named x-flood. */
  private static byte[] literalFields(int size) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (out.size() < size - 120) {
      out.write(0x00);
      literal(out, "x-flood");
      literal(out, "v".repeat(100));
    }
    return out.toByteArray();
  }

  /** An HPACK string literal without Huffman coding, its length as a 7-bit-prefix integer. */
  private static void literal(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    int len = b.length;
    if (len < 127) {
      out.write(len);
    } else {
      out.write(127);
      len -= 127;
      while (len >= 128) {
        out.write((len & 0x7F) | 0x80);
        len >>>= 7;
      }
      out.write(len);
    }
    out.writeBytes(b);
  }
}
