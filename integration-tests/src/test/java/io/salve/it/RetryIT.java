package io.salve.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.salve.it.support.EarlyAnswerUpstream;
import io.salve.it.support.LoopbackWireMock;
import io.salve.it.support.SalveHttp;
import io.salve.it.support.SalveProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
    wm = LoopbackWireMock.start();
    early = new EarlyAnswerUpstream(UPLOAD_PREFIX);
    salve = SalveProcess.start(YAML.formatted(wm.port(), early.port(), closedPort()));
    http = new SalveHttp(salve, "egress");
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      LoopbackWireMock.stopAll(salve, wm);
    } finally {
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
      assertThat(early.awaitEarlyAnswer(Duration.ofSeconds(10))).as("first attempt answered 503").isTrue();
      Thread.sleep(100); // salve reads the 503 and schedules the retry; the backoff is 300 ms
      for (int off = UPLOAD_PREFIX; off < body.length; off += 8 * 1024) {
        writeChunk(out, body, off, Math.min(8 * 1024, body.length - off));
      }
      out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();

      EarlyAnswerUpstream.Response r = EarlyAnswerUpstream.Response.read(client.getInputStream());
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.headers().get("x-salve-attempts")).isEqualTo("2");
      assertThat(r.body()).as("SHA-256 of the body the retry delivered").isEqualTo(sha256(body));
    }
    assertThat(early.connections()).isEqualTo(2);
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
    return EarlyAnswerUpstream.sha256Hex(data);
  }
}
