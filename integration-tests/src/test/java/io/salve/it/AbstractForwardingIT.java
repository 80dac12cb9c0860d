package io.salve.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.salve.it.support.Bodies;
import io.salve.it.support.CloseAnnouncingUpstream;
import io.salve.it.support.CountingTcpRelay;
import io.salve.it.support.Http;
import io.salve.it.support.RawHttp;
import io.salve.it.support.SalveProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The main forwarding scenarios against one salve process and one WireMock upstream: methods, paths,
 * queries, headers and bodies both ways (large, chunked, HEAD, HTTP/1.0), keep-alive reuse of
 * upstream connections, hop-by-hop stripping and forwarding headers. Subclasses choose the number
 * of event loops, so every scenario runs on one loop and on two.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractForwardingIT {
  private static final int EIGHT_MIB = 8 * 1024 * 1024;

  private WireMockServer upstream;
  private CountingTcpRelay relay;
  private CloseAnnouncingUpstream announcer;
  private SalveProcess salve;
  private HttpClient http;
  private int port;

  /** @return how many event loops salve runs with. */
  abstract int eventLoops();

  /** @return extra JVM arguments for salve (a transport, for instance). */
  List<String> jvmArgs() {
    return List.of();
  }

  /** @return salve's stderr so far, for subclasses that check its log. */
  String salveLog() throws java.io.IOException {
    return salve.stderr();
  }

  @BeforeAll
  void startSalve() throws Exception {
    upstream = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    upstream.start();
    relay = new CountingTcpRelay(upstream.port());
    announcer = new CloseAnnouncingUpstream();
    String yaml =
        """
        admin: { address: 127.0.0.1:0 }
        listeners:
          - name: egress
            address: 127.0.0.1:0
            routes:
              - match: { pathPrefix: /reuse }
                upstream: relayed
              - match: { pathPrefix: /close-announced }
                timeout: 2s
                upstream: announcer
              - match: { pathPrefix: / }
                upstream: backend
        upstreams:
          backend:
            endpoints: [127.0.0.1:%d]
          relayed:
            endpoints: [127.0.0.1:%d]
          announcer:
            endpoints: [127.0.0.1:%d]
            retry: { maxAttempts: 1 }
        """
            .formatted(upstream.port(), relay.port(), announcer.port());
    salve = SalveProcess.start(yaml, eventLoops(), jvmArgs());
    port = salve.port("egress");
    http = Http.newClient();
  }

  @AfterAll
  void stopSalve() throws Exception {
    try {
      if (salve != null) {
        salve.close(); // SIGTERM; asserts exit code 0 and no leak
      }
    } finally {
      if (relay != null) {
        relay.close();
      }
      if (announcer != null) {
        announcer.close();
      }
      if (upstream != null) {
        upstream.stop();
      }
    }
  }

  @BeforeEach
  void resetUpstream() {
    upstream.resetAll();
  }

  private URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port + pathAndQuery);
  }

  private HttpRequest.Builder request(String pathAndQuery) {
    return HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(30));
  }

  private static Set<String> headerNames(LoggedRequest r) {
    return r.getHeaders().keys().stream().map(k -> k.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
  }

  // ---- 1. methods, path, query, headers, bodies ----

  @Test
  void forwardsGetWithPathQueryAndHeaders() throws Exception {
    upstream.stubFor(
        get(urlEqualTo("/items/42?a=1&b=x%20y"))
            .willReturn(aResponse().withStatus(200).withHeader("X-Up", "get-ok").withBody("item 42")));

    HttpResponse<String> r =
        http.send(
            request("/items/42?a=1&b=x%20y").header("X-Test", "v1").header("Accept", "text/plain").build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("item 42");
    assertThat(r.headers().firstValue("X-Up")).hasValue("get-ok");
    assertThat(r.headers().firstValue("x-salve-upstream")).hasValue("backend");
    upstream.verify(
        1,
        getRequestedFor(urlEqualTo("/items/42?a=1&b=x%20y"))
            .withHeader("X-Test", equalTo("v1"))
            .withHeader("Accept", equalTo("text/plain")));
  }

  @Test
  void forwardsPostWithBodyAndReturnsCreated() throws Exception {
    upstream.stubFor(
        post(urlEqualTo("/orders?source=it"))
            .willReturn(
                aResponse()
                    .withStatus(201)
                    .withHeader("Location", "/orders/7")
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"id\":7}")));

    HttpResponse<String> r =
        http.send(
            request("/orders?source=it")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"item\":\"tea\",\"qty\":2}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(r.body()).isEqualTo("{\"id\":7}");
    assertThat(r.headers().firstValue("Location")).hasValue("/orders/7");
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(r.headers().firstValue("x-salve-upstream")).hasValue("backend");
    upstream.verify(
        1,
        postRequestedFor(urlEqualTo("/orders?source=it"))
            .withHeader("Content-Type", equalTo("application/json"))
            .withHeader("Content-Length", equalTo("22"))
            .withRequestBody(equalTo("{\"item\":\"tea\",\"qty\":2}")));
  }

  @Test
  void forwardsPutWithBody() throws Exception {
    upstream.stubFor(
        put(urlEqualTo("/orders/7")).willReturn(aResponse().withStatus(200).withHeader("ETag", "\"v2\"").withBody("updated")));

    HttpResponse<String> r =
        http.send(
            request("/orders/7").header("If-Match", "\"v1\"").PUT(HttpRequest.BodyPublishers.ofString("qty=3")).build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("updated");
    assertThat(r.headers().firstValue("ETag")).hasValue("\"v2\"");
    assertThat(r.headers().firstValue("x-salve-upstream")).hasValue("backend");
    upstream.verify(
        1,
        putRequestedFor(urlEqualTo("/orders/7"))
            .withHeader("If-Match", equalTo("\"v1\""))
            .withRequestBody(equalTo("qty=3")));
  }

  @Test
  void forwardsDeleteAndNoContent() throws Exception {
    upstream.stubFor(delete(urlEqualTo("/orders/7?hard=true")).willReturn(aResponse().withStatus(204).withHeader("X-Deleted", "7")));

    HttpResponse<String> r =
        http.send(request("/orders/7?hard=true").DELETE().build(), HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(204);
    assertThat(r.body()).isEmpty();
    assertThat(r.headers().firstValue("X-Deleted")).hasValue("7");
    assertThat(r.headers().firstValue("x-salve-upstream")).hasValue("backend");
    upstream.verify(1, deleteRequestedFor(urlEqualTo("/orders/7?hard=true")));
  }

  // ---- 2. large bodies, streamed both ways ----

  @Test
  void streamsEightMebibyteUploadIntact() throws Exception {
    byte[] body = Bodies.random(EIGHT_MIB, 1);
    upstream.stubFor(post(urlEqualTo("/upload")).willReturn(aResponse().withStatus(200).withBody("stored")));

    HttpResponse<String> r =
        http.send(
            request("/upload").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("stored");
    List<LoggedRequest> seen = upstream.findAll(postRequestedFor(urlEqualTo("/upload")));
    assertThat(seen).hasSize(1);
    assertThat(seen.get(0).getHeader("Content-Length")).isEqualTo(Integer.toString(EIGHT_MIB));
    assertThat(seen.get(0).getBody()).hasSize(EIGHT_MIB);
    assertThat(Bodies.sha256(seen.get(0).getBody())).isEqualTo(Bodies.sha256(body));
  }

  @Test
  void streamsEightMebibyteDownloadIntact() throws Exception {
    byte[] body = Bodies.random(EIGHT_MIB, 2);
    upstream.stubFor(
        get(urlEqualTo("/download"))
            .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/octet-stream").withBody(body)));

    HttpResponse<byte[]> r = http.send(request("/download").build(), HttpResponse.BodyHandlers.ofByteArray());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-salve-upstream")).hasValue("backend");
    assertThat(r.body()).hasSize(EIGHT_MIB);
    assertThat(Bodies.sha256(r.body())).isEqualTo(Bodies.sha256(body));
  }

  // ---- 3. chunked both ways ----

  @Test
  void chunkedUploadArrivesIntact() throws Exception {
    byte[] body = Bodies.random(1024 * 1024 + 777, 3);
    upstream.stubFor(post(urlEqualTo("/chunked-up")).willReturn(aResponse().withStatus(200).withBody("got it")));

    RawHttp.Response r;
    try (RawHttp c = RawHttp.connect(port)) {
      c.write(
          "POST /chunked-up HTTP/1.1\r\nHost: 127.0.0.1:" + port
              + "\r\nTransfer-Encoding: chunked\r\nContent-Type: application/octet-stream\r\n\r\n");
      Random sizes = new Random(33);
      int off = 0;
      while (off < body.length) {
        int n = Math.min(body.length - off, 1 + sizes.nextInt(100_000)); // uneven chunk sizes
        c.writeChunk(body, off, n);
        off += n;
      }
      c.endChunks();
      r = c.readResponse();
    }

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.bodyText()).isEqualTo("got it");
    assertThat(r.header("x-salve-upstream")).isEqualTo("backend");
    List<LoggedRequest> seen = upstream.findAll(postRequestedFor(urlEqualTo("/chunked-up")));
    assertThat(seen).hasSize(1);
    assertThat(seen.get(0).getHeader("Transfer-Encoding")).as("streamed on, not buffered").isEqualTo("chunked");
    assertThat(headerNames(seen.get(0))).doesNotContain("content-length");
    assertThat(seen.get(0).getBody()).hasSize(body.length);
    assertThat(Bodies.sha256(seen.get(0).getBody())).isEqualTo(Bodies.sha256(body));
  }

  @Test
  void chunkedDownloadArrivesIntact() throws Exception {
    byte[] body = Bodies.random(256 * 1024 + 13, 4);
    upstream.stubFor(
        get(urlEqualTo("/chunked-down")).willReturn(aResponse().withStatus(200).withBody(body).withChunkedDribbleDelay(8, 200)));
    try (RawHttp direct = RawHttp.connect(upstream.port())) {
      RawHttp.Response d = direct.request("GET", "/chunked-down").readResponse();
      assertThat(d.header("content-length")).as("precondition: the upstream sends no Content-Length").isNull();
      assertThat(d.header("transfer-encoding")).as("precondition: the upstream chunks").isEqualTo("chunked");
    }

    RawHttp.Response r;
    try (RawHttp c = RawHttp.connect(port)) {
      r = c.request("GET", "/chunked-down").readResponse();
    }

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("x-salve-upstream")).isEqualTo("backend");
    assertThat(r.header("transfer-encoding")).isEqualTo("chunked");
    assertThat(r.body()).hasSize(body.length);
    assertThat(Bodies.sha256(r.body())).isEqualTo(Bodies.sha256(body));
  }

  // ---- 4. keep-alive reuse of upstream connections ----

  @Test
  void sequentialRequestsOnOneClientConnectionReuseOneUpstreamConnection() throws Exception {
    upstream.stubFor(get(urlPathMatching("/reuse/.*")).willReturn(aResponse().withStatus(200).withBody("again")));
    int requests = 20;
    int before = relay.accepted();

    try (RawHttp c = RawHttp.connect(port)) {
      for (int i = 0; i < requests; i++) {
        RawHttp.Response r = c.request("GET", "/reuse/" + i).readResponse();
        assertThat(r.status()).as("response %d", i).isEqualTo(200);
        assertThat(r.bodyText()).isEqualTo("again");
        assertThat(r.header("x-salve-upstream")).isEqualTo("relayed");
      }
    }

    upstream.verify(requests, getRequestedFor(urlPathMatching("/reuse/.*")));
    assertThat(relay.accepted() - before)
        .as("upstream connections opened for %d sequential requests on one client connection", requests)
        .isEqualTo(1);
  }

  @Test
  void upstreamConnectionAnnouncedClosedIsNotReused() throws Exception {
    int requests = 3;
    int before = announcer.connections();

    try (RawHttp c = RawHttp.connect(port)) {
      for (int i = 0; i < requests; i++) {
        RawHttp.Response r = c.request("GET", "/close-announced/" + i).readResponse();
        assertThat(r.status()).as("response %d: %s", i, r.bodyText()).isEqualTo(200);
        assertThat(r.bodyText()).isEqualTo("ok");
      }
    }

    assertThat(announcer.violations()).as("requests sent on a connection the upstream announced closed").isZero();
    assertThat(announcer.connections() - before).as("one upstream connection per request").isEqualTo(requests);
  }

  // ---- 5. hop-by-hop fields ----

  @Test
  void stripsHopByHopHeadersInBothDirections() throws Exception {
    upstream.stubFor(
        get(urlEqualTo("/hop"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Connection", "x-resp-hop")
                    .withHeader("X-Resp-Hop", "1")
                    .withHeader("Keep-Alive", "timeout=5")
                    .withHeader("Upgrade", "foo")
                    .withHeader("X-Resp-Kept", "yes")
                    .withBody("hop")));
    try (RawHttp direct = RawHttp.connect(upstream.port())) {
      RawHttp.Response d = direct.request("GET", "/hop").readResponse();
      assertThat(d.headerNames())
          .as("precondition: the upstream really sends hop-by-hop fields")
          .contains("x-resp-hop", "keep-alive", "upgrade");
      assertThat(d.header("connection")).containsIgnoringCase("x-resp-hop");
      upstream.resetRequests();
    }

    RawHttp.Response r;
    try (RawHttp c = RawHttp.connect(port)) {
      c.request(
          "GET",
          "/hop",
          "Connection: keep-alive, X-Custom-Hop",
          "X-Custom-Hop: 1",
          "Keep-Alive: timeout=5",
          "Proxy-Connection: keep-alive",
          "TE: trailers",
          "Upgrade: foo",
          "X-End-To-End: kept");
      r = c.readResponse();
      // The connection survives: the client asked for keep-alive.
      RawHttp.Response again = c.request("GET", "/hop").readResponse();
      assertThat(again.status()).isEqualTo(200);
    }

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.bodyText()).isEqualTo("hop");
    assertThat(r.header("X-Resp-Kept")).isEqualTo("yes");
    assertThat(r.headerNames()).doesNotContain("x-resp-hop", "keep-alive", "upgrade", "proxy-connection");
    if (r.header("connection") != null) {
      assertThat(r.header("connection")).doesNotContainIgnoringCase("x-resp-hop");
    }
    List<LoggedRequest> seen = upstream.findAll(getRequestedFor(urlEqualTo("/hop")));
    assertThat(seen).hasSize(2);
    assertThat(headerNames(seen.get(0)))
        .contains("x-end-to-end")
        .doesNotContain("connection", "x-custom-hop", "keep-alive", "proxy-connection", "te", "upgrade");
  }

  // ---- 6. forwarding headers ----

  @Test
  void addsForwardingHeadersAndGeneratesRequestId() throws Exception {
    upstream.stubFor(get(urlEqualTo("/fwd")).willReturn(aResponse().withStatus(200).withBody("fwd")));
    String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    RawHttp.Response r;
    try (RawHttp c = RawHttp.connect(port)) {
      c.write(
          "GET /fwd HTTP/1.1\r\n"
              + "Host: app.example:8443\r\n"
              + "X-Forwarded-For: 203.0.113.7\r\n"
              + "X-Forwarded-Proto: https\r\n"
              + "X-Forwarded-Host: spoofed.example\r\n"
              + "traceparent: " + traceparent + "\r\n"
              + "x-salve-foo: spoofed\r\n"
              + "X-Salve-Upstream: spoofed\r\n"
              + "\r\n");
      r = c.readResponse();
    }

    assertThat(r.status()).isEqualTo(200);
    List<LoggedRequest> seen = upstream.findAll(getRequestedFor(urlEqualTo("/fwd")));
    assertThat(seen).hasSize(1);
    LoggedRequest up = seen.get(0);
    assertThat(up.getHeader("X-Forwarded-For")).isEqualTo("203.0.113.7, 127.0.0.1");
    assertThat(up.getHeader("X-Forwarded-Proto")).as("an untrusted client's value is replaced").isEqualTo("http");
    assertThat(up.getHeader("X-Forwarded-Host")).isEqualTo("app.example:8443");
    assertThat(up.getHeader("Host")).isEqualTo("app.example:8443");
    assertThat(up.getHeader("X-Request-Id")).matches("[0-9a-f]{32}");
    assertThat(up.getHeader("traceparent")).isEqualTo(traceparent);
    assertThat(up.getHeader("Via")).isEqualTo("1.1 salve");
    assertThat(headerNames(up)).noneMatch(n -> n.startsWith("x-salve-"));
  }

  @Test
  void passesThroughARequestIdAndAppendsToVia() throws Exception {
    upstream.stubFor(get(urlEqualTo("/fwd-id")).willReturn(aResponse().withStatus(200)));

    HttpResponse<String> r =
        http.send(
            request("/fwd-id").header("X-Request-Id", "req-from-client-1").header("Via", "1.0 corp-proxy").build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> second = http.send(request("/fwd-id").build(), HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(second.statusCode()).isEqualTo(200);
    List<LoggedRequest> seen = upstream.findAll(getRequestedFor(urlEqualTo("/fwd-id")));
    assertThat(seen).hasSize(2);
    assertThat(seen.get(0).getHeader("X-Request-Id")).isEqualTo("req-from-client-1");
    assertThat(seen.get(0).getHeader("Via")).isEqualTo("1.0 corp-proxy, 1.1 salve");
    assertThat(seen.get(1).getHeader("X-Request-Id"))
        .as("a fresh id per request")
        .matches("[0-9a-f]{32}")
        .isNotEqualTo(seen.get(0).getHeader("X-Request-Id"));
  }

  // ---- 11. HEAD ----

  @Test
  void headHasTheContentLengthOfGetButNoBodyAndTheConnectionStaysUsable() throws Exception {
    byte[] body = "x".repeat(1234).getBytes(StandardCharsets.US_ASCII);
    upstream.stubFor(
        any(urlEqualTo("/head"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("X-Kind", "doc")
                    .withHeader("Content-Length", "1234")
                    .withBody(body)));
    try (RawHttp direct = RawHttp.connect(upstream.port())) {
      RawHttp.Response d = direct.request("HEAD", "/head").readResponse(true);
      assertThat(d.header("content-length")).as("precondition: the upstream answers HEAD with a length").isEqualTo("1234");
      upstream.resetRequests();
    }

    try (RawHttp c = RawHttp.connect(port)) {
      RawHttp.Response got = c.request("GET", "/head").readResponse();
      assertThat(got.status()).isEqualTo(200);
      assertThat(got.header("content-length")).isEqualTo("1234");

      RawHttp.Response head = c.request("HEAD", "/head").readResponse(true);
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.header("x-salve-upstream")).isEqualTo("backend");
      assertThat(head.header("X-Kind")).isEqualTo("doc");
      assertThat(head.header("content-length")).isEqualTo(got.header("content-length"));
      assertThat(head.header("transfer-encoding")).isNull();

      // Had salve sent a body after the HEAD response, this would read body bytes as a status line.
      RawHttp.Response after = c.request("GET", "/head").readResponse();
      assertThat(after.status()).isEqualTo(200);
      assertThat(after.body()).isEqualTo(body);
    }
    upstream.verify(1, com.github.tomakehurst.wiremock.client.WireMock.headRequestedFor(urlEqualTo("/head")));
  }

  // ---- 12. HTTP/1.0 ----

  @Test
  void http10ClientWithoutKeepAliveGetsItsResponseAndTheConnectionCloses() throws Exception {
    upstream.stubFor(get(urlEqualTo("/old")).willReturn(aResponse().withStatus(200).withBody("from the past")));

    try (RawHttp c = RawHttp.connect(port)) {
      c.write("GET /old HTTP/1.0\r\nUser-Agent: it-1.0\r\n\r\n");
      RawHttp.Response r = c.readResponse();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.bodyText()).isEqualTo("from the past");
      assertThat(r.header("x-salve-upstream")).isEqualTo("backend");
      assertThat(r.header("connection")).isEqualToIgnoringCase("close");
      assertThat(c.closedByPeerWithin(Duration.ofSeconds(5))).as("salve closed the connection").isTrue();
    }
    upstream.verify(1, getRequestedFor(urlEqualTo("/old")).withHeader("User-Agent", equalTo("it-1.0")));
  }

  @Test
  void http10ClientGetsAChunkedUpstreamBodyDelimitedByClose() throws Exception {
    byte[] body = Bodies.random(64 * 1024 + 5, 5);
    upstream.stubFor(
        get(urlEqualTo("/old-chunked")).willReturn(aResponse().withStatus(200).withBody(body).withChunkedDribbleDelay(4, 100)));

    try (RawHttp c = RawHttp.connect(port)) {
      c.write("GET /old-chunked HTTP/1.0\r\nHost: 127.0.0.1:" + port + "\r\n\r\n");
      RawHttp.Response r = c.readResponse(); // no length, no chunking: reads until the close
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("transfer-encoding")).as("an HTTP/1.0 client does not know chunked").isNull();
      assertThat(r.header("connection")).isEqualToIgnoringCase("close");
      assertThat(Bodies.sha256(r.body())).isEqualTo(Bodies.sha256(body));
    }
  }
}
