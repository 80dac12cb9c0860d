package io.salve.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.salve.it.support.SalveHttp;
import io.salve.it.support.SalveProcess;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 5, retries against the real jar: what is retried and what is not (idempotency, replayable
 * bodies), that a replayed body is byte for byte the original, that {@code Retry-After}, backoff
 * and {@code perTryTimeout} set the pace, and that the retry budget caps what a permanently failing
 * upstream receives. One salve serves every test; routes (told apart by path) carry the policies.
 */
class RetryIT {
  private static final int UPLOAD_PREFIX = 8 * 1024;
  private static final String YAML =
      """
      admin: { address: 127.0.0.1:0 }
      listeners:
        - name: egress
          address: 127.0.0.1:0
          routes:
            - name: flaky
              match: { pathPrefix: /flaky }
              upstream: main
              retry: { maxAttempts: 3, retryOn: [503], backoff: { initial: 10ms, max: 20ms, jitter: none } }
            - name: orders
              match: { pathPrefix: /orders }
              upstream: main
              retry:
                maxAttempts: 3
                retryOn: [reset]
                backoff: { initial: 10ms, max: 20ms, jitter: none }
                maxBufferedBody: 64KiB
            - name: throttled
              match: { pathPrefix: /throttled }
              upstream: main
              timeout: 10s
              retry: { maxAttempts: 2, retryOn: [503], backoff: { initial: 10ms, max: 10ms, jitter: none } }
            - name: deadline
              match: { pathPrefix: /deadline }
              upstream: main
              timeout: 1s
              retry: { maxAttempts: 3, retryOn: [503], backoff: { initial: 2s, max: 2s, jitter: none } }
            - name: backoff
              match: { pathPrefix: /backoff }
              upstream: main
              retry:
                maxAttempts: 4
                retryOn: [gateway-error]
                backoff: { initial: 100ms, max: 400ms, multiplier: 2.0, jitter: none }
            - name: per-try
              match: { pathPrefix: /per-try }
              upstream: main
              retry:
                maxAttempts: 2
                retryOn: [timeout]
                perTryTimeout: 300ms
                backoff: { initial: 10ms, max: 10ms, jitter: none }
            - name: budget
              match: { pathPrefix: /budget }
              upstream: budget
            - name: dead
              match: { pathPrefix: /dead }
              upstream: dead
              retry: { maxAttempts: 2, retryOn: [connect-failure], backoff: { initial: 10ms, max: 10ms, jitter: none } }
            - name: upload
              match: { pathPrefix: /upload }
              upstream: early
              retry:
                maxAttempts: 2
                retryOn: [503]
                maxBufferedBody: 8KiB
                backoff: { initial: 300ms, max: 300ms, jitter: none }
      upstreams:
        main:
          endpoints: [127.0.0.1:%1$d]
        early:
          endpoints: [127.0.0.1:%2$d]
        dead:
          endpoints: [127.0.0.1:%3$d]
        budget:
          endpoints: [127.0.0.1:%1$d]
          retry: { maxAttempts: 3, retryOn: [503], backoff: { initial: 1ms, max: 1ms, jitter: none } }
          retryBudget: { ratio: 0.2, minPerSecond: 1 }
      """;

  private static WireMockServer wm;
  private static EarlyAnswerUpstream early;
  private static SalveProcess salve;
  private static SalveHttp http;

  @BeforeAll
  static void start() throws Exception {
    wm = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").containerThreads(24));
    wm.start();
    early = new EarlyAnswerUpstream(UPLOAD_PREFIX);
    salve = SalveProcess.start(YAML.formatted(wm.port(), early.port(), closedPort()));
    http = new SalveHttp(salve, "egress");
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (salve != null) {
        salve.close();
      }
    } finally {
      wm.stop();
      early.close();
    }
  }

  @AfterEach
  void resetUpstream() {
    wm.resetAll();
  }

  @Test
  void anUpstreamThatFailsTwiceThenSucceedsGivesOneSuccessAfterThreeAttempts() throws Exception {
    wm.stubFor(get("/flaky").inScenario("flaky").whenScenarioStateIs(STARTED)
        .willReturn(aResponse().withStatus(503)).willSetStateTo("failed once"));
    wm.stubFor(get("/flaky").inScenario("flaky").whenScenarioStateIs("failed once")
        .willReturn(aResponse().withStatus(503)).willSetStateTo("failed twice"));
    wm.stubFor(get("/flaky").inScenario("flaky").whenScenarioStateIs("failed twice")
        .willReturn(aResponse().withStatus(200).withBody("third time lucky")));
    double retriesBefore = http.counter("salve_retries_total", Map.of("upstream", "main", "reason", "503"));

    HttpResponse<String> r = http.get("/flaky");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("third time lucky");
    assertThat(r.headers().firstValue("x-salve-attempts")).hasValue("3");
    assertThat(received("/flaky")).hasSize(3);
    assertThat(http.counter("salve_retries_total", Map.of("upstream", "main", "reason", "503")) - retriesBefore)
        .isEqualTo(2.0);
  }

  @Test
  void aPostWithoutIdempotencyKeyReachesAResettingUpstreamExactlyOnce() throws Exception {
    wm.stubFor(post("/orders").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

    HttpResponse<String> r = http.send(http.request("/orders").POST(BodyPublishers.ofString("{\"order\":1}")));

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.headers().firstValue("x-salve-error")).hasValue("upstream_reset");
    assertThat(r.headers().firstValue("x-salve-attempts")).hasValue("1");
    assertThat(received("/orders")).hasSize(1);
  }

  @Test
  void aPostWithoutIdempotencyKeyIsRetriedAfterAConnectFailureSinceNothingWasSent() throws Exception {
    HttpResponse<String> r = http.send(http.request("/dead").POST(BodyPublishers.ofString("{\"order\":2}")));

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.headers().firstValue("x-salve-error")).hasValue("upstream_connect_failure");
    assertThat(r.headers().firstValue("x-salve-attempts")).hasValue("2");
    assertThat(http.counter("salve_retries_total", Map.of("upstream", "dead", "reason", "connect_failure")))
        .isEqualTo(1.0);
  }

  @Test
  void aPostWithIdempotencyKeyIsRetriedWithTheSameBodyEachTime() throws Exception {
    byte[] body = randomBytes(48 * 1024, 1);
    wm.stubFor(post("/orders").inScenario("replay").whenScenarioStateIs(STARTED)
        .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)).willSetStateTo("reset once"));
    wm.stubFor(post("/orders").inScenario("replay").whenScenarioStateIs("reset once")
        .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)).willSetStateTo("reset twice"));
    wm.stubFor(post("/orders").inScenario("replay").whenScenarioStateIs("reset twice")
        .willReturn(aResponse().withStatus(201).withBody("created")));

    HttpResponse<String> r =
        http.send(http.request("/orders").header("Idempotency-Key", "order-42").POST(BodyPublishers.ofByteArray(body)));

    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(r.headers().firstValue("x-salve-attempts")).hasValue("3");
    List<LoggedRequest> seen = received("/orders");
    assertThat(seen).hasSize(3);
    for (LoggedRequest s : seen) {
      assertThat(sha256(s.getBody())).as("SHA-256 of the body the upstream received").isEqualTo(sha256(body));
      assertThat(s.getHeader("Idempotency-Key")).isEqualTo("order-42");
    }
  }

  @Test
  void aBodyLargerThanMaxBufferedBodyIsNotRetried() throws Exception {
    byte[] body = randomBytes(1024 * 1024, 2);
    wm.stubFor(post("/orders").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

    HttpResponse<String> r =
        http.send(http.request("/orders").header("Idempotency-Key", "big-1").POST(BodyPublishers.ofByteArray(body)));

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.headers().firstValue("x-salve-error")).hasValue("upstream_reset");
    assertThat(r.headers().firstValue("x-salve-attempts")).hasValue("1");
    List<LoggedRequest> seen = received("/orders");
    assertThat(seen).hasSize(1);
    assertThat(sha256(seen.get(0).getBody())).isEqualTo(sha256(body));
  }

  @Test
  void retryAfterOnA503SetsTheDelayOfTheNextAttempt() throws Exception {
    wm.stubFor(get("/throttled").inScenario("throttled").whenScenarioStateIs(STARTED)
        .willReturn(aResponse().withStatus(503).withHeader("Retry-After", "1")).willSetStateTo("throttled once"));
    wm.stubFor(get("/throttled").inScenario("throttled").whenScenarioStateIs("throttled once")
        .willReturn(aResponse().withStatus(200).withBody("served")));

    HttpResponse<String> r = http.get("/throttled");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-salve-attempts")).hasValue("2");
    List<LoggedRequest> seen = byArrival(received("/throttled"));
    assertThat(seen).hasSize(2);
    // Without Retry-After the backoff would be 10 ms.
    assertThat(gapMillis(seen, 0)).as("ms between the attempts").isGreaterThanOrEqualTo(900);
  }

  @Test
  void aRetryAfterBeyondTheDeadlineIsNotWaitedFor() throws Exception {
    wm.stubFor(get("/throttled").willReturn(aResponse().withStatus(503).withHeader("Retry-After", "30")));

    HttpResponse<String> r = http.get("/throttled");

    // The upstream's own 503 is the answer: waiting 30 s would outlive the route's 10 s timeout.
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("x-salve-error")).isEmpty();
    assertThat(r.headers().firstValue("retry-after")).hasValue("30");
    assertThat(r.headers().firstValue("x-salve-attempts")).hasValue("1");
    assertThat(received("/throttled")).hasSize(1);
  }

  @Test
  void noRetryStartsWhenItsBackoffWouldEndPastTheRouteDeadline() throws Exception {
    wm.stubFor(get("/deadline").willReturn(aResponse().withStatus(503).withBody("busy")));

    HttpResponse<String> r = http.get("/deadline");

    // A 2 s backoff cannot end before the 1 s timeout: the upstream's answer is returned at once.
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).isEqualTo("busy");
    assertThat(r.headers().firstValue("x-salve-attempts")).hasValue("1");
    assertThat(received("/deadline")).hasSize(1);
  }

  @Test
  void backoffGapsGrowAndStayWithinTheirBounds() throws Exception {
    wm.stubFor(get("/backoff").willReturn(aResponse().withStatus(503)));

    HttpResponse<String> r = http.get("/backoff");

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("x-salve-attempts")).hasValue("4");
    List<LoggedRequest> seen = byArrival(received("/backoff"));
    assertThat(seen).hasSize(4);
    long[] nominal = {100, 200, 400};
    long previous = -1;
    for (int i = 0; i < nominal.length; i++) {
      long gap = gapMillis(seen, i);
      assertThat(gap).as("gap %d (nominal %d ms)", i + 1, nominal[i])
          .isGreaterThanOrEqualTo(nominal[i] * 9 / 10)
          .isLessThan(nominal[i] + 300)
          .isGreaterThan(previous);
      previous = gap;
    }
  }

  @Test
  void perTryTimeoutGivesUpOnASlowAttemptAndRetries() throws Exception {
    wm.stubFor(get("/per-try").inScenario("slow").whenScenarioStateIs(STARTED)
        .willReturn(aResponse().withStatus(200).withBody("too late").withFixedDelay(3_000)).willSetStateTo("fast"));
    wm.stubFor(get("/per-try").inScenario("slow").whenScenarioStateIs("fast")
        .willReturn(aResponse().withStatus(200).withBody("in time")));

    HttpResponse<String> r = http.get("/per-try");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("in time");
    assertThat(r.headers().firstValue("x-salve-attempts")).hasValue("2");
    assertThat(received("/per-try")).hasSize(2);
  }

  @Test
  void theRetryBudgetCapsWhatAPermanentlyFailingUpstreamReceives() throws Exception {
    wm.stubFor(any(urlPathMatching("/budget.*")).willReturn(aResponse().withStatus(503)));
    int requests = 200;

    long start = System.nanoTime();
    for (int i = 0; i < requests; i++) {
      assertThat(http.get("/budget/" + i).statusCode()).isEqualTo(503);
    }
    long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

    // The budget is retries < 0.2 x requests + 1/s x 10 over a sliding 10 s window of ten 1 s
    // buckets. A run shorter than 9 s lies within one window, so retries <= 0.2 x 200 + 10 = 50.
    assertThat(elapsedMillis).as("precondition: the run fits one budget window (ms)").isLessThan(9_000);
    int received = received("/budget").size();
    assertThat(received).as("attempts the upstream received").isLessThanOrEqualTo(requests + 40 + 10);
    // The floor alone grants 10 retries, so some were made.
    assertThat(received).isGreaterThanOrEqualTo(requests + 10);
    assertThat(http.counter("salve_retry_budget_exhausted_total", Map.of("upstream", "budget"))).isPositive();
  }

  @Test
  void bodyPartsThatArriveWhileARetryWaitsAreSentWithIt() throws Exception {
    // The upstream answers 503 after the first 8 KiB (= maxBufferedBody) without reading on, the
    // rest of the body arrives during the 300 ms backoff, and the retry must carry all of it.
    byte[] body = randomBytes(UPLOAD_PREFIX + 120 * 1024, 3);
    try (Socket client = new Socket(InetAddress.getLoopbackAddress(), salve.port("egress"))) {
      client.setSoTimeout(10_000);
      OutputStream out = client.getOutputStream();
      out.write(("PUT /upload HTTP/1.1\r\nHost: early\r\nTransfer-Encoding: chunked\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      writeChunk(out, body, 0, UPLOAD_PREFIX);
      out.flush();
      assertThat(early.answeredEarly.await(10, TimeUnit.SECONDS)).as("first attempt answered 503").isTrue();
      Thread.sleep(100); // salve reads the 503 and schedules the retry; the backoff is 300 ms
      for (int off = UPLOAD_PREFIX; off < body.length; off += 8 * 1024) {
        writeChunk(out, body, off, Math.min(8 * 1024, body.length - off));
      }
      out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();

      RawResponse r = RawResponse.read(client.getInputStream());
      assertThat(r.status).isEqualTo(200);
      assertThat(r.headers.get("x-salve-attempts")).isEqualTo("2");
      assertThat(r.body).as("SHA-256 of the body the retry delivered").isEqualTo(sha256(body));
    }
    assertThat(early.connections.get()).isEqualTo(2);
  }

  /** @return a loopback port nothing listens on (bound, then closed). */
  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void writeChunk(OutputStream out, byte[] data, int off, int len) throws IOException {
    out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.write(data, off, len);
    out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
  }

  private static List<LoggedRequest> received(String path) {
    return wm.findAll(anyRequestedFor(urlPathMatching(path + "(/.*)?")));
  }

  private static List<LoggedRequest> byArrival(List<LoggedRequest> requests) {
    return requests.stream().sorted(Comparator.comparing(LoggedRequest::getLoggedDate)).toList();
  }

  /** @return milliseconds between the arrival of request {@code i} and of request {@code i + 1} */
  private static long gapMillis(List<LoggedRequest> byArrival, int i) {
    return byArrival.get(i + 1).getLoggedDate().getTime() - byArrival.get(i).getLoggedDate().getTime();
  }

  private static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * An upstream that answers its first request with 503 as soon as it has read {@code prefix} body
   * bytes, reading no further, as a server that refuses early does; it reads every later request
   * whole and answers 200 with the SHA-256 of the body as the response body.
   */
  static final class EarlyAnswerUpstream implements AutoCloseable {
    final CountDownLatch answeredEarly = new CountDownLatch(1);
    final AtomicInteger connections = new AtomicInteger();
    private final int prefix;
    private final ServerSocket server;

    EarlyAnswerUpstream(int prefix) throws IOException {
      this.prefix = prefix;
      this.server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
      Thread t = new Thread(this::acceptLoop, "early-answer-upstream");
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return server.getLocalPort();
    }

    private void acceptLoop() {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          int n = connections.incrementAndGet();
          Thread t = new Thread(() -> serve(s, n), "early-answer-" + n);
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return; // closed
        }
      }
    }

    private void serve(Socket s, int n) {
      try (s) {
        s.setSoTimeout(5_000);
        InputStream in = new BufferedInputStream(s.getInputStream());
        OutputStream out = s.getOutputStream();
        Map<String, String> head = RawResponse.readHead(in);
        if (n == 1) {
          readBody(in, head, prefix);
          out.write("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"
              .getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          answeredEarly.countDown();
          while (in.read() >= 0) {
            // until salve gives the connection up
          }
          return;
        }
        byte[] hash = sha256(readBody(in, head, Integer.MAX_VALUE)).getBytes(StandardCharsets.ISO_8859_1);
        out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + hash.length + "\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
        out.write(hash);
        out.flush();
      } catch (IOException e) {
        // the test's assertions on the client side report what went wrong
      }
    }

    /** @return up to {@code limit} body bytes, chunked or by Content-Length */
    private static byte[] readBody(InputStream in, Map<String, String> head, int limit) throws IOException {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      if ("chunked".equalsIgnoreCase(head.get("transfer-encoding"))) {
        while (body.size() < limit) {
          int size = Integer.parseInt(RawResponse.line(in).split(";")[0].trim(), 16);
          if (size == 0) {
            while (!RawResponse.line(in).isEmpty()) {
              // trailers
            }
            break;
          }
          int take = Math.min(size, limit - body.size());
          body.write(in.readNBytes(take));
          if (take < size) {
            break;
          }
          RawResponse.line(in);
        }
      } else {
        int length = Integer.parseInt(head.getOrDefault("content-length", "0"));
        body.write(in.readNBytes(Math.min(length, limit)));
      }
      return body.toByteArray();
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  /** A response read off a raw socket: status, lower-cased headers, and a Content-Length body. */
  record RawResponse(int status, Map<String, String> headers, String body) {
    static RawResponse read(InputStream raw) throws IOException {
      InputStream in = new BufferedInputStream(raw);
      String statusLine = line(in);
      Map<String, String> headers = readHeaders(in);
      byte[] body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
      return new RawResponse(
          Integer.parseInt(statusLine.split(" ")[1]), headers, new String(body, StandardCharsets.ISO_8859_1));
    }

    /** Reads a request head; the request line is dropped. */
    static Map<String, String> readHead(InputStream in) throws IOException {
      line(in);
      return readHeaders(in);
    }

    static Map<String, String> readHeaders(InputStream in) throws IOException {
      Map<String, String> headers = new HashMap<>();
      for (String l = line(in); !l.isEmpty(); l = line(in)) {
        int colon = l.indexOf(':');
        headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
      }
      return headers;
    }

    static String line(InputStream in) throws IOException {
      StringBuilder sb = new StringBuilder();
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) {
          throw new EOFException("connection closed mid-line: " + sb);
        }
        if (c != '\r') {
          sb.append((char) c);
        }
      }
      return sb.toString();
    }
  }
}
