package io.salve.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static io.salve.it.support.Http.json;
import static io.salve.it.support.Http.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.salve.it.support.EtcdProcess;
import io.salve.it.support.Http;
import io.salve.it.support.LoopbackWireMock;
import io.salve.it.support.SalveProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Self-registration and discovery against a real etcd: instances A and B register their ingress
 * under service {@code orders} while their own app is healthy; instance C discovers {@code orders}
 * and balances over whoever is registered. Then etcd is frozen and stopped under them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RegistrationDiscoveryIT {
  private static final Duration POLL = Duration.ofMillis(100);
  private static final String NS = "/it-disco";
  private static final String PREFIX = NS + "/services/orders/";

  private EtcdProcess etcd;
  private Client etcdClient;
  private WireMockServer appA;
  private WireMockServer appB;
  private SalveProcess a;
  private SalveProcess b;
  private SalveProcess c;

  @BeforeAll
  void start() throws Exception {
    etcd = EtcdProcess.start();
    etcdClient = Client.builder().endpoints(etcd.clientUrl()).build();
    appA = app("A");
    appB = app("B");
    a = SalveProcess.start(registering("a", appA));
    b = SalveProcess.start(registering("b", appB));
    c =
        SalveProcess.start(
            """
            admin: { address: 127.0.0.1:0 }
            coordination:
              identity: c
              etcd: { endpoints: [%s], namespace: %s }
            listeners:
              - name: egress
                address: 127.0.0.1:0
                routes:
                  - match: { pathPrefix: /ghost/ }
                    upstream: ghost
                  - match: { pathPrefix: / }
                    upstream: orders
            upstreams:
              orders:
                discovery: { etcd: orders }
                healthCheck: { path: /healthz, interval: 500ms, timeout: 1s, unhealthyThreshold: 2, healthyThreshold: 1 }
              ghost:
                discovery: { etcd: ghost }
            """
                .formatted(etcd.clientUrl(), NS));
  }

  private static WireMockServer app(String name) {
    WireMockServer app = LoopbackWireMock.start();
    app.stubFor(get("/healthz").willReturn(aResponse().withStatus(200)));
    app.stubFor(get("/work").willReturn(aResponse().withStatus(200).withBody(name)));
    return app;
  }

  /** An instance that registers its ingress listener (a port picked here) while its app is healthy. */
  private String registering(String identity, WireMockServer app) throws IOException {
    int ingress = freePort();
    return """
        admin: { address: 127.0.0.1:0 }
        coordination:
          identity: %s
          etcd: { endpoints: [%s], namespace: %s }
          registration: { service: orders, address: 127.0.0.1:%d, ttl: 2s, whenHealthy: app }
        listeners:
          - name: ingress
            address: 127.0.0.1:%d
            routes:
              - match: { pathPrefix: / }
                upstream: app
        upstreams:
          app:
            endpoints: [127.0.0.1:%d]
            healthCheck: { path: /healthz, interval: 200ms, timeout: 1s, unhealthyThreshold: 1, healthyThreshold: 1, panicThreshold: 0.0 }
        """
        .formatted(identity, etcd.clientUrl(), NS, ingress, ingress, app.port());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @AfterAll
  void stop() throws Exception {
    try {
      for (SalveProcess s : new SalveProcess[] {c, a, b}) {
        if (s != null) {
          s.close();
        }
      }
    } finally {
      if (etcdClient != null) {
        etcdClient.close();
      }
      if (etcd != null) {
        etcd.close();
      }
      appA.stop();
      appB.stop();
    }
  }

  /** @return the registrations under {@code orders}, identity to value, as etcd has them now. */
  private Map<String, String> registrations() throws Exception {
    ByteSequence prefix = ByteSequence.from(PREFIX, StandardCharsets.UTF_8);
    Map<String, String> m = new LinkedHashMap<>();
    for (KeyValue kv :
        etcdClient.getKVClient().get(prefix, GetOption.builder().isPrefix(true).build()).get(5, TimeUnit.SECONDS).getKvs()) {
      m.put(kv.getKey().toString(StandardCharsets.UTF_8).substring(PREFIX.length()), kv.getValue().toString(StandardCharsets.UTF_8));
    }
    return m;
  }

  private HttpResponse<String> work() {
    return Http.get(c.port("egress"), "/work");
  }

  /** @return the apps that answered {@code n} requests through C; fails on any non-200. */
  private Set<String> answering(int n) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < n; i++) {
      HttpResponse<String> r = work();
      assertThat(r.statusCode()).as("request %d through C: %s", i, r.body()).isEqualTo(200);
      seen.add(r.body());
    }
    return seen;
  }

  private static String registrationStatus(SalveProcess s) {
    return json(Http.get(s.adminPort(), "/admin/state")).path("coordination").path("registration").path("status").asText();
  }

  private JsonNode discovery() {
    return json(Http.get(c.adminPort(), "/admin/state")).path("upstreams").path("orders").path("discovery");
  }

  @Test
  @Order(1)
  void anUpstreamWithoutRegistrationsSaysWhyItAnswers503() throws Exception {
    HttpResponse<String> r = Http.get(c.port("egress"), "/ghost/x");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(json(r).path("error").asText()).isEqualTo("no_healthy_endpoint");
    assertThat(json(r).path("message").asText()).contains("etcd service 'ghost'");
    assertThat(c.stderr()).contains("upstream ghost has no endpoint yet and answers 503 no_healthy_endpoint");
    await().atMost(Duration.ofSeconds(10)).pollInterval(POLL)
        .until(() -> json(Http.get(c.adminPort(), "/admin/state")).path("upstreams").path("ghost").path("noEndpointReason").asText(),
            why -> why.equals("etcd service 'ghost' has no live registration"));
  }

  @Test
  @Order(2)
  void bothInstancesRegisterAndTheThirdRoutesToBoth() throws Exception {
    await().atMost(Duration.ofSeconds(15)).pollInterval(POLL).until(() -> registrations().keySet(), k -> k.size() == 2);
    Map<String, String> regs = registrations();
    JsonNode ra = new ObjectMapper().readTree(regs.get("a"));
    assertThat(ra.path("identity").asText()).isEqualTo("a");
    assertThat(ra.path("address").asText()).isEqualTo("127.0.0.1:" + a.port("ingress"));
    assertThat(ra.path("registeredAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    await().atMost(Duration.ofSeconds(2)).pollInterval(POLL).until(() -> registrationStatus(a), st -> st.equals("registered"));

    await().atMost(Duration.ofSeconds(10)).pollInterval(POLL).until(() -> answering(10), seen -> seen.size() == 2);
    assertThat(answering(10)).containsExactlyInAnyOrder("A", "B");
    // Fresh (not stale) once the watch runs; a slow connectivity check on a loaded machine may
    // briefly drop it, hence the wait.
    await().atMost(Duration.ofSeconds(5)).pollInterval(POLL).until(() -> !discovery().path("stale").asBoolean());
    JsonNode d = discovery();
    assertThat(d.path("service").asText()).isEqualTo("orders");
    assertThat(d.path("endpoints")).hasSize(2);
    assertThat(d.path("lastSync").asText()).isNotEmpty();
    String ingressA = "127.0.0.1:" + a.port("ingress");
    await().atMost(Duration.ofSeconds(5)).pollInterval(POLL)
        .until(() -> Http.endpointState(c.adminPort(), "orders", ingressA), e -> e != null && e.path("lastProbe").isNumber());
    assertThat(Http.endpointState(c.adminPort(), "orders", ingressA).path("healthy").asBoolean())
        .as("a discovered endpoint is probed like a static one")
        .isTrue();
    assertThat(metric(c.adminPort(), "salve_endpoint_healthy", "upstream=orders", "endpoint=" + ingressA)).isEqualTo(1.0);
    assertThat(metric(c.adminPort(), "salve_discovery_endpoints", "upstream=orders")).isEqualTo(2.0);
    await().atMost(Duration.ofSeconds(5)).pollInterval(POLL)
        .until(() -> metric(c.adminPort(), "salve_discovery_stale_seconds", "upstream=orders"), v -> v == 0.0);

    // Another tool writes something that is not a registration: logged and skipped, the rest still count.
    ByteSequence bad = ByteSequence.from(PREFIX + "bad", StandardCharsets.UTF_8);
    etcdClient.getKVClient().put(bad, ByteSequence.from("not json", StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).pollInterval(POLL)
        .until(() -> c.stderr().contains("discovery: ignoring etcd key " + PREFIX + "bad of service 'orders': not JSON"));
    assertThat(discovery().path("endpoints")).hasSize(2);
    assertThat(answering(10)).containsExactlyInAnyOrder("A", "B");
    etcdClient.getKVClient().delete(bad).get(5, TimeUnit.SECONDS);
  }

  @Test
  @Order(3)
  void anUnhealthyAppIsDeregisteredAndRegisteredAgainWhenItRecovers() throws Exception {
    appA.stubFor(get("/healthz").willReturn(aResponse().withStatus(500)));
    long t0 = System.nanoTime();
    await().atMost(Duration.ofSeconds(5)).pollInterval(POLL).until(() -> registrations().keySet(), k -> k.equals(Set.of("b")));
    long goneMillis = (System.nanoTime() - t0) / 1_000_000;
    assertThat(goneMillis).as("revoked at once, not left to expire").isLessThan(2000);
    await().atMost(Duration.ofSeconds(5)).pollInterval(POLL).until(() -> discovery().path("endpoints").size() == 1);
    System.out.printf("measured: app unhealthy -> key gone %d ms, -> out of C's discovered set %d ms%n",
        goneMillis, (System.nanoTime() - t0) / 1_000_000);
    assertThat(answering(10)).containsExactly("B");
    await().atMost(Duration.ofSeconds(2)).pollInterval(POLL)
        .until(() -> registrationStatus(a), st -> st.equals("not registered: upstream app has no healthy endpoint"));
    assertThat(a.stderr()).contains("registration: revoked " + PREFIX + "a (upstream app has no healthy endpoint)");

    appA.stubFor(get("/healthz").willReturn(aResponse().withStatus(200)));
    await().atMost(Duration.ofSeconds(5)).pollInterval(POLL).until(() -> registrations().keySet(), k -> k.size() == 2);
    await().atMost(Duration.ofSeconds(5)).pollInterval(POLL).until(() -> answering(10), seen -> seen.size() == 2);
  }

  @Test
  @Order(4)
  void aFrozenEtcdLeavesTrafficOnTheLastKnownSetAndShowsItStale() throws Exception {
    etcd.freeze();
    long frozenAt = System.nanoTime();
    try {
      await().atMost(Duration.ofSeconds(10)).pollInterval(POLL).until(() -> discovery().path("stale").asBoolean());
      System.out.printf("measured: etcd frozen -> discovery stale %d ms%n", (System.nanoTime() - frozenAt) / 1_000_000);
      assertThat(answering(10)).as("the last known set keeps serving").containsExactlyInAnyOrder("A", "B");
      await().atMost(Duration.ofSeconds(5)).pollInterval(POLL)
          .until(() -> metric(c.adminPort(), "salve_discovery_stale_seconds", "upstream=orders"), s -> s >= 1.0);
      assertThat(discovery().path("staleSeconds").asDouble()).isGreaterThanOrEqualTo(1.0);
      assertThat(discovery().path("endpoints")).hasSize(2);
      for (SalveProcess s : new SalveProcess[] {a, b, c}) {
        assertThat(Http.get(s.adminPort(), "/live").statusCode()).isEqualTo(200);
      }
      assertThat(c.stderr()).contains("discovery of etcd service 'orders' for upstream orders is stale");
      // No renewal confirmed for longer than the lease guard trusts (ttl minus its margin): A says so.
      await().atMost(Duration.ofSeconds(5)).pollInterval(POLL)
          .until(() -> registrationStatus(a), st -> st.startsWith("registered, unconfirmed (lease keep-alive: "));
    } finally {
      etcd.thaw();
    }
    long thawedAt = System.nanoTime();
    await().atMost(Duration.ofSeconds(15)).pollInterval(POLL).until(() -> !discovery().path("stale").asBoolean());
    long freshMillis = (System.nanoTime() - thawedAt) / 1_000_000;
    await().atMost(Duration.ofSeconds(15)).pollInterval(POLL).until(() -> registrations().keySet(), k -> k.size() == 2);
    System.out.printf("measured: etcd thawed -> discovery fresh %d ms, both registered again %d ms%n",
        freshMillis, (System.nanoTime() - thawedAt) / 1_000_000);
    await().atMost(Duration.ofSeconds(10)).pollInterval(POLL).until(() -> answering(10), seen -> seen.size() == 2);
    await().atMost(Duration.ofSeconds(5)).pollInterval(POLL)
        .until(() -> metric(c.adminPort(), "salve_discovery_stale_seconds", "upstream=orders"), v -> v == 0.0);
  }

  @Test
  @Order(5)
  void aStoppedEtcdLeavesTrafficFlowingAndAfterItsReturnTheSetIsReconciled() throws Exception {
    etcd.stop();
    await().atMost(Duration.ofSeconds(10)).pollInterval(POLL).until(() -> discovery().path("stale").asBoolean());
    assertThat(answering(10)).containsExactlyInAnyOrder("A", "B");
    // While etcd is away, B's app fails: B cannot revoke, and C keeps B in its stale set (though its
    // own probes of B fail).
    appB.stubFor(get("/healthz").willReturn(aResponse().withStatus(500)));
    await().atMost(Duration.ofSeconds(5)).pollInterval(POLL)
        .until(() -> registrationStatus(b), st -> st.equals("not registered: upstream app has no healthy endpoint"));
    assertThat(discovery().path("endpoints")).hasSize(2);

    etcd.restart();
    // Back: B's lease, which it could not revoke, is revoked now (or expires), A's is renewed, and
    // C's fresh read replaces the stale set with what etcd holds.
    await().atMost(Duration.ofSeconds(20)).pollInterval(POLL).until(() -> registrations().keySet(), k -> k.equals(Set.of("a")));
    await().atMost(Duration.ofSeconds(10)).pollInterval(POLL)
        .until(() -> !discovery().path("stale").asBoolean() && discovery().path("endpoints").size() == 1);
    assertThat(answering(10)).containsExactly("A");
    assertThat(c.stderr()).contains("(reconciled)");

    appB.stubFor(get("/healthz").willReturn(aResponse().withStatus(200)));
    await().atMost(Duration.ofSeconds(5)).pollInterval(POLL).until(() -> registrations().keySet(), k -> k.size() == 2);
    await().atMost(Duration.ofSeconds(5)).pollInterval(POLL).until(() -> answering(10), seen -> seen.size() == 2);
  }

  @Test
  @Order(6)
  void shutdownRevokesTheRegistrationBeforeDraining() throws Exception {
    a.close();
    a = null;
    assertThat(registrations().keySet()).as("revoked during shutdown, not left to expire").containsExactly("b");
    await().atMost(Duration.ofSeconds(5)).pollInterval(POLL).until(() -> answering(10), seen -> seen.equals(Set.of("B")));
  }

  @Test
  @Order(7)
  void etcdAbsentAtStartIsNotFatalAndEverythingStartsWhenItComes() throws Exception {
    etcd.stop();
    int ingress = freePort();
    SalveProcess d =
        SalveProcess.start(
            """
            admin: { address: 127.0.0.1:0 }
            coordination:
              identity: d
              etcd: { endpoints: [%s], namespace: %s }
              registration: { service: late, address: 127.0.0.1:%d, ttl: 2s }
            listeners:
              - name: ingress
                address: 127.0.0.1:%d
                routes: [ { match: { pathPrefix: / }, upstream: app } ]
              - name: egress
                address: 127.0.0.1:0
                routes: [ { match: { pathPrefix: / }, upstream: late } ]
            upstreams:
              app:
                endpoints: [127.0.0.1:%d]
              late:
                discovery: { etcd: late }
            """
                .formatted(etcd.clientUrl(), NS, ingress, ingress, appB.port()));
    try {
      HttpResponse<String> early = Http.get(d.port("egress"), "/work");
      assertThat(early.statusCode()).isEqualTo(503);
      assertThat(json(early).path("message").asText()).startsWith("upstream has no endpoint: waiting for the first read of etcd service 'late'");
      assertThat(Http.get(d.adminPort(), "/live").statusCode()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(5)).pollInterval(POLL)
          .until(() -> registrationStatus(d), st -> st.startsWith("registering (last attempt: "));
      JsonNode waiting = json(Http.get(d.adminPort(), "/admin/state")).path("upstreams").path("late").path("discovery");
      assertThat(waiting.path("stale").asBoolean()).isTrue();
      assertThat(waiting.path("lastSync").isNull()).isTrue();

      etcd.restart();
      // Registered, discovered by itself, and traffic flows through its own ingress to the app.
      await().atMost(Duration.ofSeconds(15)).pollInterval(POLL)
          .until(() -> Http.get(d.port("egress"), "/work"), r -> r.statusCode() == 200 && r.body().equals("B"));
      await().atMost(Duration.ofSeconds(2)).pollInterval(POLL).until(() -> registrationStatus(d), st -> st.equals("registered"));
      assertThat(d.stderr()).contains("coordination: etcd not reachable yet");
    } finally {
      d.close();
    }
  }
}
