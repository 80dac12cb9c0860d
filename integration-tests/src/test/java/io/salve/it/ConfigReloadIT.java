package io.salve.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.salve.it.support.Http;
import io.salve.it.support.LoopbackWireMock;
import io.salve.it.support.RawHttp;
import io.salve.it.support.SalveProcess;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hot reload of the real jar: a changed file (edited in place, or swapped the way a Kubernetes
 * ConfigMap volume swaps {@code ..data}) or SIGHUP swaps routes, upstreams and listener addresses
 * while requests in flight finish on what they started with; an invalid file changes nothing.
 */
class ConfigReloadIT {
  private static final int SLOW_MS = 2500;
  private static final Duration RELOAD = Duration.ofSeconds(10);

  private WireMockServer a;
  private WireMockServer b;
  private SalveProcess salve;

  @BeforeEach
  void upstreams() {
    a = LoopbackWireMock.start();
    b = LoopbackWireMock.start();
    a.stubFor(get(urlEqualTo("/who")).willReturn(aResponse().withStatus(200).withBody("a")));
    a.stubFor(get(urlEqualTo("/slow")).willReturn(aResponse().withStatus(200).withFixedDelay(SLOW_MS).withBody("a-slow")));
    b.stubFor(get(urlEqualTo("/who")).willReturn(aResponse().withStatus(200).withBody("b")));
  }

  @AfterEach
  void stop() throws Exception {
    LoopbackWireMock.stopAll(salve, a, b);
  }

  /** One listener routing everything to {@code upstream}, the only upstream defined. */
  private String config(String upstream, int port, String listenerAddress, String extra) {
    return """
        admin: { address: 127.0.0.1:0 }
        drainTimeout: 10s
        listeners:
          - name: egress
            address: %s
            routes:
              - match: { pathPrefix: / }
                upstream: %s
        upstreams:
          %s:
            endpoints: [127.0.0.1:%d]
        %s
        """.formatted(listenerAddress, upstream, upstream, port, extra);
  }

  private double reloads(String result) {
    Double v = Http.metric(salve.adminPort(), "salve_config_reloads_total", "result=" + result);
    assertThat(v).as("salve_config_reloads_total{result=%s}", result).isNotNull();
    return v;
  }

  private String who() {
    return Http.get(salve.port("egress"), "/who").body();
  }

  private String hash() {
    return Http.json(Http.get(salve.adminPort(), "/admin/config")).path("hash").asText();
  }

  @Test
  void changedUpstream_requestInFlightFinishesOnTheOld_newRequestsGoToTheNew() throws Exception {
    salve = SalveProcess.start(config("a", a.port(), "127.0.0.1:0", ""));
    assertThat(who()).isEqualTo("a");
    String before = hash();
    assertThat(before).startsWith("sha256:");
    assertThat(reloads("applied")).isZero();

    try (RawHttp busy = RawHttp.connect(salve.port("egress"))) {
      busy.request("GET", "/slow");
      CompletableFuture<RawHttp.Response> slow = CompletableFuture.supplyAsync(() -> read(busy));
      await().atMost(Duration.ofSeconds(5)).until(() -> a.findAll(getRequestedFor(urlEqualTo("/slow"))).size() == 1);

      salve.rewriteConfig(config("b", b.port(), "127.0.0.1:0", ""));
      await().atMost(RELOAD).until(() -> reloads("applied") == 1.0);
      assertThat(slow).as("the slow request is still in flight on upstream a").isNotDone();
      assertThat(who()).as("a new request after the reload").isEqualTo("b");

      RawHttp.Response r = slow.get(10, TimeUnit.SECONDS);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.bodyText()).isEqualTo("a-slow");
      assertThat(r.header("x-salve-upstream")).isEqualTo("a");
    }
    JsonNode shown = Http.json(Http.get(salve.adminPort(), "/admin/config"));
    assertThat(shown.path("upstreams").has("b")).isTrue();
    assertThat(shown.path("upstreams").has("a")).isFalse();
    assertThat(shown.path("hash").asText()).startsWith("sha256:").isNotEqualTo(before);
    assertThat(Http.json(Http.get(salve.adminPort(), "/admin/state")).path("upstreams").has("a")).isFalse();
    assertThat(salve.stderr()).contains("configuration reload (file change) applied");
    await().atMost(RELOAD).untilAsserted(() -> assertThat(salve.stderr()).contains("upstream a retired"));

    salve.hangup(); // same content: counted as unchanged, nothing else happens
    await().atMost(RELOAD).until(() -> reloads("unchanged") == 1.0);
    assertThat(reloads("applied")).isEqualTo(1.0);
    assertThat(who()).isEqualTo("b");
  }

  @Test
  void invalidEdit_isRejectedWithEveryErrorAndTrafficIsUnaffected() throws Exception {
    salve = SalveProcess.start(config("a", a.port(), "127.0.0.1:0", ""));
    String before = hash();
    salve.rewriteConfig(config("b", b.port(), "127.0.0.1:0", "accessLog: { enabled: maybe }\ncolour: blue"));

    await().atMost(RELOAD).until(() -> reloads("rejected") == 1.0);
    String log = salve.stderr();
    String file = salve.configFile().toString();
    assertThat(log).contains(
        file + ":12:23: accessLog.enabled: maybe (expected: true or false)",
        file + ":13:1: unknown key 'colour' at the top level");
    assertThat(log).contains("configuration reload (file change) rejected: 2 error(s)");
    assertThat(reloads("applied")).isZero();
    assertThat(who()).as("the running configuration stays").isEqualTo("a");
    assertThat(hash()).isEqualTo(before);
    assertThat(b.getAllServeEvents()).isEmpty();

    salve.rewriteConfig(config("b", b.port(), "127.0.0.1:0", "")); // fixed: applies
    await().atMost(RELOAD).until(() -> reloads("applied") == 1.0);
    assertThat(who()).isEqualTo("b");
  }

  @Test
  void configMapStyleSymlinkSwap_isDetected() throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(Paths.get("target", "it-runs")), "configmap-");
    Path first = Files.createDirectory(dir.resolve("..2026_12_06_01_00_00.1"));
    Files.writeString(first.resolve("salve.yaml"), config("a", a.port(), "127.0.0.1:0", ""));
    Files.createSymbolicLink(dir.resolve("..data"), first.getFileName());
    Path file = dir.resolve("salve.yaml");
    Files.createSymbolicLink(file, Paths.get("..data", "salve.yaml"));
    salve = SalveProcess.start(file, 2, List.of());
    assertThat(who()).isEqualTo("a");

    // What the kubelet does: a new timestamped directory, a ..data_tmp link to it renamed over ..data.
    Path second = Files.createDirectory(dir.resolve("..2026_12_06_01_05_00.2"));
    Files.writeString(second.resolve("salve.yaml"), config("b", b.port(), "127.0.0.1:0", ""));
    Files.createSymbolicLink(dir.resolve("..data_tmp"), second.getFileName());
    Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
    Files.delete(first.resolve("salve.yaml"));
    Files.delete(first);

    await().atMost(RELOAD).until(() -> reloads("applied") == 1.0);
    assertThat(who()).isEqualTo("b");
    assertThat(reloads("rejected")).as("no half-swapped state was read").isZero();
  }

  @Test
  void movedListener_releasesTheOldPortAndServesOnTheNew() throws Exception {
    salve = SalveProcess.start(config("a", a.port(), "127.0.0.1:0", ""));
    int oldPort = salve.port("egress");
    int newPort;
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      newPort = probe.getLocalPort();
    }
    salve.rewriteConfig(config("a", a.port(), "127.0.0.1:" + newPort, ""));

    await().atMost(RELOAD).until(() -> reloads("applied") == 1.0);
    assertThat(Http.get(newPort, "/who").body()).isEqualTo("a");
    assertThatThrownBy(
            () -> {
              try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", oldPort), 1000);
              }
            })
        .as("the old address is released")
        .isInstanceOf(ConnectException.class);
    JsonNode listener = Http.json(Http.get(salve.adminPort(), "/admin/state")).path("listeners").path("egress");
    assertThat(listener.path("address").asText()).isEqualTo("127.0.0.1:" + newPort);
  }

  @Test
  void aListenerMovedToATakenPort_rejectsTheReload_andRestartOnlySettingsAreNamed() throws Exception {
    salve = SalveProcess.start(config("a", a.port(), "127.0.0.1:0", ""));
    int port = salve.port("egress");
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      salve.rewriteConfig(config("b", b.port(), "127.0.0.1:" + taken.getLocalPort(), ""));
      await().atMost(RELOAD).until(() -> reloads("rejected") == 1.0);
      assertThat(salve.stderr()).contains("rejected: listener 'egress' cannot bind 127.0.0.1:" + taken.getLocalPort() + ": address already in use");
    }
    assertThat(Http.get(port, "/who").body()).as("nothing changed").isEqualTo("a");

    // admin and accessLog only change on restart: the rest of the file applies, and the log says so.
    salve.rewriteConfig(config("b", b.port(), "127.0.0.1:0", "accessLog: { enabled: false }").replace(
        "admin: { address: 127.0.0.1:0 }", "admin: { address: 127.0.0.1:0, readyWhenHealthy: [b] }"));
    await().atMost(RELOAD).until(() -> reloads("applied") == 1.0);
    assertThat(salve.stderr())
        .contains("these settings need a restart and keep their running value: admin, accessLog");
    assertThat(Http.get(port, "/who").body()).isEqualTo("b");
    JsonNode shown = Http.json(Http.get(salve.adminPort(), "/admin/config"));
    assertThat(shown.path("accessLog").path("enabled").asBoolean()).as("the running value").isTrue();
    assertThat(shown.path("admin").path("readyWhenHealthy")).isEmpty();
  }

  @Test
  void sighup_reloadsEvenWithoutWatching_andDoesNotEndTheProcess() throws Exception {
    salve = SalveProcess.start(config("a", a.port(), "127.0.0.1:0", "reload: { watch: false }"));
    assertThat(salve.stderr()).doesNotContain("watching");
    salve.rewriteConfig(config("b", b.port(), "127.0.0.1:0", "reload: { watch: false }"));
    // Not watched: the file's change alone does nothing, however long it waits.
    assertThat(who()).isEqualTo("a");
    Thread.sleep(1500); // proving an absence: nothing may happen within well over the debounce
    assertThat(who()).isEqualTo("a");
    assertThat(reloads("applied")).isZero();

    salve.hangup();
    await().atMost(RELOAD).until(() -> reloads("applied") == 1.0);
    assertThat(who()).isEqualTo("b");
    assertThat(salve.process().isAlive()).as("SIGHUP does not end salve").isTrue();
    assertThat(salve.stderr()).contains("received SIGHUP", "configuration reload (SIGHUP) applied");
  }

  @Test
  void unchangedUpstream_keepsItsBreakerState_andARemovedListenerClosesAndDrains() throws Exception {
    a.stubFor(get(urlEqualTo("/fail")).willReturn(aResponse().withStatus(500)));
    b.stubFor(get(urlEqualTo("/b")).willReturn(aResponse().withStatus(200).withBody("b")));
    b.stubFor(get(urlEqualTo("/slow")).willReturn(aResponse().withStatus(200).withFixedDelay(SLOW_MS).withBody("b-slow")));
    String upstreamB = "  b: { endpoints: [127.0.0.1:%d] }\n".formatted(b.port());
    String upstreamA = """
          a:
            endpoints: [127.0.0.1:%d]
            circuitBreaker: { failureThreshold: 2, openDuration: 60s }
            retry: { maxAttempts: 1 }
        """.formatted(a.port());
    String v1 = """
        admin: { address: 127.0.0.1:0 }
        listeners:
          - name: egress
            address: 127.0.0.1:0
            routes: [{ match: { pathPrefix: / }, upstream: a }]
          - name: ingress
            address: 127.0.0.1:0
            routes: [{ match: { pathPrefix: / }, upstream: b }]
        upstreams:
        """ + upstreamA + upstreamB;
    salve = SalveProcess.start(v1);
    int ingress = salve.port("ingress");
    try (RawHttp idle = RawHttp.connect(ingress);
        RawHttp busy = RawHttp.connect(ingress)) {
      assertThat(idle.request("GET", "/who").readResponse().status()).isEqualTo(200); // now idle, kept alive
      busy.request("GET", "/slow");
      CompletableFuture<RawHttp.Response> slow = CompletableFuture.supplyAsync(() -> read(busy));
      await().atMost(Duration.ofSeconds(5)).until(() -> b.findAll(getRequestedFor(urlEqualTo("/slow"))).size() == 1);
      assertThat(Http.get(salve.port("egress"), "/fail").statusCode()).isEqualTo(500);
      assertThat(Http.get(salve.port("egress"), "/fail").statusCode()).isEqualTo(500);
      assertThat(breakerState("a")).isEqualTo("open");

      String v2 = """
          admin: { address: 127.0.0.1:0 }
          listeners:
            - name: egress
              address: 127.0.0.1:0
              routes:
                - { match: { pathPrefix: /b }, upstream: b }
                - { match: { pathPrefix: / }, upstream: a }
          upstreams:
          """ + upstreamA + upstreamB;
      salve.rewriteConfig(v2);
      await().atMost(RELOAD).until(() -> reloads("applied") == 1.0);

      assertThat(breakerState("a")).as("the unchanged upstream keeps its open circuit").isEqualTo("open");
      assertThat(Http.metric(salve.adminPort(), "salve_circuit_breaker_state", "upstream=a", "state=open"))
          .isEqualTo(1.0);
      assertThat(Http.get(salve.port("egress"), "/who").statusCode()).as("still refused by the open circuit")
          .isEqualTo(503);
      assertThat(Http.get(salve.port("egress"), "/b").body()).isEqualTo("b");
      assertThat(idle.closedByPeerWithin(Duration.ofSeconds(2))).as("the removed listener's idle connection").isTrue();
      assertThatThrownBy(
              () -> {
                try (Socket s = new Socket()) {
                  s.connect(new InetSocketAddress("127.0.0.1", ingress), 1000);
                }
              })
          .as("the removed listener's address is released")
          .isInstanceOf(ConnectException.class);
      RawHttp.Response r = slow.get(10, TimeUnit.SECONDS);
      assertThat(r.bodyText()).as("the request in flight on the removed listener").isEqualTo("b-slow");
      assertThat(r.header("connection")).as("and then its connection closes").isEqualToIgnoringCase("close");
      assertThat(a.findAll(getRequestedFor(urlEqualTo("/fail")))).hasSize(2);
    }
  }

  @Test
  void healthChecks_startAndStopWithTheUpstreamsThatHaveThem() throws Exception {
    a.stubFor(get(urlEqualTo("/healthz")).willReturn(aResponse().withStatus(503)));
    String endpoint = "127.0.0.1:" + a.port();
    salve = SalveProcess.start(config("a", a.port(), "127.0.0.1:0", ""));
    String probed = config("a", a.port(), "127.0.0.1:0", "").replace(
        "endpoints: [" + endpoint + "]",
        "endpoints: [" + endpoint + "]\n    healthCheck: { interval: 200ms, timeout: 500ms, unhealthyThreshold: 1,"
            + " panicThreshold: 0.0 }");
    salve.rewriteConfig(probed);
    await().atMost(RELOAD).until(() -> reloads("applied") == 1.0);
    await().atMost(RELOAD).until(() -> !Http.endpointState(salve.adminPort(), "a", endpoint).path("healthy").asBoolean());
    assertThat(Http.metric(salve.adminPort(), "salve_endpoint_healthy", "endpoint=" + endpoint)).isEqualTo(0.0);
    assertThat(Http.get(salve.port("egress"), "/who").statusCode()).as("no healthy endpoint").isEqualTo(503);

    salve.rewriteConfig(config("a", a.port(), "127.0.0.1:0", ""));
    await().atMost(RELOAD).until(() -> reloads("applied") == 2.0);
    assertThat(who()).as("the unprobed upstream starts afresh").isEqualTo("a");
    int probes = a.findAll(getRequestedFor(urlEqualTo("/healthz"))).size();
    Thread.sleep(1000); // proving an absence: five probe intervals without a probe
    assertThat(a.findAll(getRequestedFor(urlEqualTo("/healthz")))).as("probes stopped").hasSize(probes);
    assertThat(Http.metric(salve.adminPort(), "salve_endpoint_healthy", "endpoint=" + endpoint)).isNull();
  }

  private String breakerState(String upstream) {
    return Http.json(Http.get(salve.adminPort(), "/admin/state"))
        .path("upstreams").path(upstream).path("circuitBreaker").path("state").asText();
  }

  private static RawHttp.Response read(RawHttp conn) {
    try {
      return conn.readResponse();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
