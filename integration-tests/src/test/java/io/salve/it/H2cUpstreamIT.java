package io.salve.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.salve.it.support.H2cServer;
import io.salve.it.support.Http;
import io.salve.it.support.SalveHttp;
import io.salve.it.support.SalveProcess;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code protocol: h2c} upstreams through the real jar: an HTTP/1.1 client (the JDK's, or raw
 * sockets) in front of salve, a real cleartext HTTP/2 server (Netty's codec, {@link H2cServer})
 * behind it. One event loop, so one pool per endpoint and the connection limit is exact.
 */
class H2cUpstreamIT {
  private H2cServer upstream;
  private SalveProcess salve;

  @AfterEach
  void stop() throws Exception {
    if (salve != null) {
      salve.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private SalveHttp start(long maxConcurrentStreams, int maxConnections, String upstreamExtra) throws Exception {
    upstream = new H2cServer(maxConcurrentStreams);
    salve = SalveProcess.start("""
        admin: { address: 127.0.0.1:0 }
        listeners:
          - name: egress
            address: 127.0.0.1:0
            routes:
              - { match: { pathPrefix: / }, upstream: backend, timeout: 20s }
        upstreams:
          backend:
            protocol: h2c
            endpoints: [127.0.0.1:%d]
            connectTimeout: 5s
            maxConnectionsPerEndpoint: %d
        %s
        """.formatted(upstream.port(), maxConnections, upstreamExtra.indent(4).stripTrailing()), 1, List.of());
    return new SalveHttp(salve, "egress");
  }

  @Test
  void getAndPostAreTranslatedToHttp2WithoutConnectionSpecificFields() throws Exception {
    SalveHttp http = start(0, 4, "");
    HttpResponse<String> get = http.send(http.request("/hello").header("x-custom", "kept"));
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.body()).isEqualTo("hello");
    assertThat(get.headers().firstValue("x-salve-upstream")).hasValue("backend");
    assertThat(get.headers().map().keySet()).as("no field of Netty's HTTP/2 conversion reaches the client")
        .noneMatch(n -> n.toLowerCase().startsWith("x-http2"));

    HttpResponse<String> post = http.send(http.request("/echo").POST(HttpRequest.BodyPublishers.ofString("ping")));
    assertThat(post.statusCode()).isEqualTo(200);
    assertThat(post.body()).isEqualTo("ping");

    Map<String, String> head = upstream.heads().get(0);
    assertThat(head).containsEntry(":method", "GET").containsEntry(":path", "/hello").containsEntry(":scheme", "http")
        .containsEntry(":authority", "127.0.0.1:" + salve.port("egress")).containsEntry("x-custom", "kept");
    // RFC 9113 8.2.2: no connection-specific field reaches an HTTP/2 peer.
    assertThat(head.keySet()).doesNotContain("host", "connection", "keep-alive", "transfer-encoding", "upgrade",
        "proxy-connection", "te");
    assertThat(head.keySet()).allMatch(name -> name.equals(name.toLowerCase()));
    assertThat(head.keySet()).noneMatch(n -> n.startsWith("x-http2"));
    assertThat(upstream.heads().get(1)).containsEntry(":method", "POST");
    assertThat(salve.stderr()).doesNotContain("LEAK");
  }

  @Test
  void hopByHopFieldsNamedByConnectionAreNotSent() throws Exception {
    start(0, 4, "");
    String answer = exchange("GET /hello HTTP/1.1\r\nHost: app.example\r\nConnection: keep-alive, x-private\r\n"
        + "x-private: secret\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nProxy-Connection: keep-alive\r\n"
        + "Connection: close\r\n\r\n");
    assertThat(answer).startsWith("HTTP/1.1 200");
    Map<String, String> head = upstream.heads().get(0);
    assertThat(head).containsEntry(":authority", "app.example");
    assertThat(head.keySet()).doesNotContain("x-private", "keep-alive", "proxy-connection", "connection", "host");
  }

  @Test
  void trailersReachAnHttp11ClientAsChunkedTrailers() throws Exception {
    start(0, 4, "");
    String answer = exchange("GET /trailers HTTP/1.1\r\nHost: a\r\nTE: trailers\r\nConnection: close\r\n\r\n");
    assertThat(answer).startsWith("HTTP/1.1 200").containsIgnoringCase("transfer-encoding: chunked");
    assertThat(answer).endsWith("\r\n4\r\nbody\r\n0\r\ngrpc-status: 0\r\nx-trailer: yes\r\n\r\n");
  }

  @Test
  void aLargeBodyStreamsBothWays() throws Exception {
    SalveHttp http = start(0, 4, "");
    byte[] body = new byte[8 * 1024 * 1024];
    new Random(16).nextBytes(body);
    HttpResponse<byte[]> r = Http.newClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + salve.port("egress") + "/echo"))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(body);
    assertThat(http.get("/hello").statusCode()).isEqualTo(200);
  }

  @Test
  void concurrentRequestsShareConnectionsWithinTheStreamAndConnectionLimits() throws Exception {
    SalveHttp http = start(10, 2, "");
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      all.add(client.sendAsync(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + salve.port("egress") + "/slow/200"))
              .timeout(Duration.ofSeconds(20)).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> f : all) {
      HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("slow");
    }
    assertThat(upstream.streams()).isEqualTo(50);
    assertThat(upstream.connectionsAccepted()).as("connections the upstream saw").isBetween(1, 2);
    assertThat(upstream.maxActiveStreams()).as("streams open at once: 2 connections x 10").isBetween(11, 20);
    assertThat(http.counter("salve_retries_total", Map.of("upstream", "backend", "reason", "connect_failure")))
        .as("no stream beyond the peer's limit was refused and retried").isZero();
    assertThat(http.metric("salve_upstream_streams", Map.of("upstream", "backend"))).isPresent();
    assertThat(http.upstreamState("backend").path("protocol").asText()).isEqualTo("h2c");
    assertThat(salve.stderr()).doesNotContain("LEAK");
  }

  @Test
  void goAwayMidTrafficFailsNoRequest() throws Exception {
    SalveHttp http = start(0, 2, "");
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      all.add(client.sendAsync(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + salve.port("egress") + "/slow/300"))
              .timeout(Duration.ofSeconds(20)).build(),
          HttpResponse.BodyHandlers.ofString()));
      if (i == 30) {
        await().atMost(Duration.ofSeconds(10)).until(() -> upstream.streams() >= 20);
        upstream.goAwayAll().get(5, TimeUnit.SECONDS); // salve has read the GOAWAY
      }
    }
    for (CompletableFuture<HttpResponse<String>> f : all) {
      assertThat(f.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    assertThat(upstream.connectionsAccepted()).as("a new connection after the GOAWAY").isGreaterThanOrEqualTo(2);
    assertThat(upstream.streams()).as("no request needed a second attempt").isEqualTo(60);
    assertThat(http.counter("salve_retries_total", Map.of("upstream", "backend", "reason", "reset"))).isZero();
    await().atMost(Duration.ofSeconds(5)).until(() -> upstream.openConnections() == 1);
    assertThat(salve.stderr()).doesNotContain("LEAK");
  }

  @Test
  void streamsAboveAGoAwaysLastStreamIdAreRetriedElsewhere() throws Exception {
    SalveHttp http = start(0, 2, "");
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      all.add(client.sendAsync(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + salve.port("egress") + "/slow/1000"))
              .timeout(Duration.ofSeconds(20)).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> upstream.streams() == 6);
    upstream.goAwayProcessingNothing();
    for (CompletableFuture<HttpResponse<String>> f : all) {
      HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("x-salve-attempts")).hasValue("2");
    }
    assertThat(upstream.connectionsAccepted()).as("the retries went to a new connection").isEqualTo(2);
    assertThat(http.counter("salve_retries_total", Map.of("upstream", "backend", "reason", "connect_failure")))
        .isEqualTo(6.0);
    assertThat(http.counter("salve_upstream_requests_total",
        Map.of("upstream", "backend", "outcome", "refused"))).isEqualTo(6.0);
    assertThat(salve.stderr()).doesNotContain("LEAK");
  }

  @Test
  void anUpstreamResetIsA502CountedByTheBreaker() throws Exception {
    SalveHttp http = start(0, 2, """
        retry: { maxAttempts: 1 }
        circuitBreaker: { failureThreshold: 3, openDuration: 30s }
        """);
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r = http.get("/reset");
      assertThat(r.statusCode()).isEqualTo(502);
      assertThat(r.headers().firstValue("x-salve-error")).hasValue("upstream_reset");
    }
    assertThat(http.upstreamState("backend").path("circuitBreaker").path("state").asText()).isEqualTo("open");
    HttpResponse<String> refused = http.get("/hello");
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.headers().firstValue("x-salve-error")).hasValue("circuit_open");
  }

  @Test
  void aRefusedStreamIsRetried() throws Exception {
    SalveHttp http = start(0, 2, "");
    HttpResponse<String> r = http.get("/refuse/a");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("ok");
    assertThat(r.headers().firstValue("x-salve-attempts")).hasValue("2");
    assertThat(http.counter("salve_retries_total", Map.of("upstream", "backend", "reason", "connect_failure")))
        .isEqualTo(1.0);
  }

  @Test
  void aSlowClientHoldsBackTheUpstreamStreamNotTheConnection() throws Exception {
    SalveHttp http = start(0, 1, "");
    long size = 32L * 1024 * 1024;
    try (Socket s = new Socket()) {
      s.setReceiveBufferSize(16 * 1024);
      s.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), salve.port("egress")));
      s.getOutputStream().write(("GET /big/" + size + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      // The client reads nothing: the upstream soon stops being able to write this stream.
      await().atMost(Duration.ofSeconds(10)).until(() -> upstream.bigWritten() > 0);
      long[] last = {-1};
      await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500)).until(() -> {
        long now = upstream.bigWritten();
        boolean still = now == last[0];
        last[0] = now;
        return still;
      });
      assertThat(upstream.bigWritten()).as("bytes written before flow control held the stream").isLessThan(size / 4);
      assertThat(http.metric("salve_upstream_streams", Map.of("upstream", "backend"))).as("the paused stream")
          .hasValue(1.0);
      assertThat(http.metric("salve_upstream_connections", Map.of("upstream", "backend", "state", "active")))
          .hasValue(1.0);
      // Another request on the same upstream connection still goes through meanwhile.
      assertThat(http.get("/hello").body()).isEqualTo("hello");
      assertThat(upstream.connectionsAccepted()).isEqualTo(1);
      InputStream in = s.getInputStream();
      byte[] buf = new byte[64 * 1024];
      long total = 0;
      for (int n; (n = in.read(buf)) >= 0; ) {
        total += n;
      }
      assertThat(total).isGreaterThan(size);
      assertThat(upstream.bigWritten()).isEqualTo(size);
    }
  }

  @Test
  void aClientThatGoesAwayMidResponseCancelsOnlyItsStream() throws Exception {
    SalveHttp http = start(0, 1, "");
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), salve.port("egress"))) {
      s.getOutputStream().write("GET /big/33554432 HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      assertThat(s.getInputStream().readNBytes(100 * 1024)).hasSize(100 * 1024);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> !upstream.resetsReceived().isEmpty());
    assertThat(upstream.resetsReceived()).containsExactly(8L); // CANCEL
    assertThat(http.get("/hello").body()).isEqualTo("hello");
    assertThat(upstream.connectionsAccepted()).as("the connection outlived the cancelled stream").isEqualTo(1);
  }

  @Test
  void aSlowReadingUpstreamHoldsBackTheClientsUpload() throws Exception {
    start(0, 1, "");
    long size = 64L * 1024 * 1024;
    AtomicLong sent = new AtomicLong();
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), salve.port("egress"))) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      Thread writer = new Thread(() -> {
        try {
          out.write(("POST /sink/3000 HTTP/1.1\r\nHost: a\r\nContent-Length: " + size + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
          byte[] chunk = new byte[64 * 1024];
          for (long left = size; left > 0; left -= chunk.length) {
            out.write(chunk);
            sent.addAndGet(chunk.length);
          }
        } catch (Exception e) {
          // the assertions below say what went wrong
        }
      }, "upload");
      writer.setDaemon(true);
      writer.start();
      long[] last = {-1};
      await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(300)).until(() -> {
        long now = sent.get();
        boolean still = now == last[0] && now > 0;
        last[0] = now;
        return still;
      });
      assertThat(sent.get()).as("bytes the client got to send while the upstream read nothing").isLessThan(size / 2);
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(answer).startsWith("HTTP/1.1 200").endsWith("\r\n\r\n" + size);
      assertThat(sent.get()).isEqualTo(size);
    }
  }

  @Test
  void httpProbesSpeakH2c() throws Exception {
    SalveHttp http = start(0, 2, "healthCheck: { type: http, path: /hello, interval: 200ms, timeout: 1s }");
    await().atMost(Duration.ofSeconds(10)).until(() ->
        upstream.heads().stream().anyMatch(h -> "salve-health".equals(h.get("user-agent"))));
    assertThat(http.endpointState("backend", "127.0.0.1:" + upstream.port()).path("healthy").asBoolean()).isTrue();
  }

  @Test
  void aFailingH2cProbeMarksTheEndpointUnhealthy() throws Exception {
    SalveHttp http = start(0, 2, "healthCheck: { type: http, path: /missing, interval: 200ms, timeout: 1s }");
    await().atMost(Duration.ofSeconds(10)).until(() ->
        !http.endpointState("backend", "127.0.0.1:" + upstream.port()).path("healthy").asBoolean());
    assertThat(upstream.heads()).allMatch(h -> "/missing".equals(h.get(":path")));
  }

  /** Sends raw bytes on a fresh connection and reads until salve closes it. */
  private String exchange(String raw) throws Exception {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), salve.port("egress"))) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      s.getInputStream().transferTo(out);
      return out.toString(StandardCharsets.ISO_8859_1);
    }
  }
}
