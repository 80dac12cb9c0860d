package io.salve.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.salve.it.support.Http.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.salve.it.support.EtcdProcess;
import io.salve.it.support.Http;
import io.salve.it.support.LoopbackWireMock;
import io.salve.it.support.SalveProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Leader election against a real etcd and two real salves, each beside a WireMock "app" whose
 * {@code /healthz} the test controls. ttl is 2s; probes every 200ms with two failures to eject.
 */
class LeaderElectionIT {
  private static final Duration TTL = Duration.ofSeconds(2);
  /** Two failed probes 200ms apart, each bounded by a 200ms timeout. */
  private static final Duration PROBE_THRESHOLDS = Duration.ofMillis(800);
  private static final Duration POLL = Duration.ofMillis(50);
  private static final String ELECTION = "scheduler";

  private EtcdProcess etcd;
  private final List<WireMockServer> apps = new ArrayList<>();
  private final List<SalveProcess> salves = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    etcd = EtcdProcess.start();
    for (String name : List.of("a", "b")) {
      WireMockServer app = LoopbackWireMock.start();
      app.stubFor(get("/healthz").willReturn(aResponse().withStatus(200)));
      app.stubFor(get("/work").willReturn(aResponse().withStatus(200).withBody(name)));
      app.stubFor(post("/leader-changed").willReturn(aResponse().withStatus(204)));
      apps.add(app);
    }
    for (int i = 0; i < 2; i++) {
      salves.add(SalveProcess.start(yaml(i == 0 ? "a" : "b", apps.get(i))));
    }
  }

  @AfterEach
  void stop() throws Exception {
    try {
      for (SalveProcess s : salves) {
        s.close();
      }
    } finally {
      apps.forEach(WireMockServer::stop);
      if (etcd != null) {
        etcd.close();
      }
    }
  }

  private String yaml(String identity, WireMockServer app) {
    return """
        admin: { address: 127.0.0.1:0 }
        coordination:
          identity: %s
          etcd: { endpoints: [%s], namespace: /it }
          leaderElection:
            election: %s
            ttl: 2s
            whenHealthy: app
            webhook: http://127.0.0.1:%d/leader-changed
        listeners:
          - name: egress
            address: 127.0.0.1:0
            routes:
              - match: { pathPrefix: / }
                upstream: app
        upstreams:
          app:
            endpoints: [127.0.0.1:%d]
            healthCheck: { path: /healthz, interval: 200ms, timeout: 200ms, unhealthyThreshold: 2, healthyThreshold: 1 }
        """
        .formatted(identity, etcd.clientUrl(), ELECTION, app.port(), app.port());
  }

  private static JsonNode leader(SalveProcess s) {
    return json(Http.get(s.adminPort(), "/leader"));
  }

  /** Waits until exactly one salve says self: true and both name it with the same token; @return its index. */
  private int awaitOneLeader(Duration within) {
    int[] leaderIndex = new int[1];
    await().atMost(within).pollInterval(POLL).untilAsserted(() -> {
      JsonNode a = leader(salves.get(0));
      JsonNode b = leader(salves.get(1));
      assertThat(a.path("self").asBoolean() ^ b.path("self").asBoolean()).as("exactly one leads: %s %s", a, b).isTrue();
      assertThat(a.path("leader").asText()).isEqualTo(b.path("leader").asText()).isIn("a", "b");
      assertThat(a.path("fencingToken").asLong()).isEqualTo(b.path("fencingToken").asLong()).isPositive();
      leaderIndex[0] = a.path("self").asBoolean() ? 0 : 1;
    });
    return leaderIndex[0];
  }

  private static long token(SalveProcess s) {
    return leader(s).path("fencingToken").asLong();
  }

  @Test
  void exactlyOneLeadsAndLeadershipMovesWhenTheLeadersAppTurnsUnhealthy() {
    int first = awaitOneLeader(Duration.ofSeconds(20));
    SalveProcess leading = salves.get(first);
    SalveProcess other = salves.get(1 - first);
    long token1 = token(leading);
    JsonNode doc = leader(leading);
    assertThat(doc.path("election").asText()).isEqualTo(ELECTION);
    assertThat(doc.path("leader").asText()).isEqualTo(first == 0 ? "a" : "b");
    assertThat(doc.path("since").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    JsonNode state = json(Http.get(leading.adminPort(), "/admin/state")).path("coordination");
    assertThat(state.path("etcd").path("up").asBoolean()).isTrue();
    assertThat(state.path("leaderElection").path("self").asBoolean()).isTrue();
    assertThat(Http.metric(leading.adminPort(), "salve_leader", "election=" + ELECTION)).isEqualTo(1.0);
    assertThat(Http.metric(other.adminPort(), "salve_leader", "election=" + ELECTION)).isEqualTo(0.0);

    apps.get(first).stubFor(get("/healthz").willReturn(aResponse().withStatus(503)));
    long t0 = System.nanoTime();
    await().atMost(TTL.plus(PROBE_THRESHOLDS).plusSeconds(1)).pollInterval(POLL)
        .until(() -> leader(other).path("self").asBoolean());
    long movedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    System.out.println("leadership moved " + movedMillis + "ms after the leader's app turned unhealthy");
    assertThat(leader(leading).path("self").asBoolean()).isFalse();
    await().atMost(Duration.ofSeconds(3)).pollInterval(POLL)
        .untilAsserted(() -> assertThat(leader(leading).path("leader").asText()).isEqualTo(first == 0 ? "b" : "a"));
    long token2 = token(other);
    assertThat(token2).as("fencing token of the new term").isGreaterThan(token1);
    assertThat(token(leading)).isEqualTo(token2);
    assertThat(Http.metric(other.adminPort(), "salve_leader_changes_total", "election=" + ELECTION)).isGreaterThanOrEqualTo(1.0);

    // The app recovers: the former leader campaigns again but waits its turn.
    apps.get(first).stubFor(get("/healthz").willReturn(aResponse().withStatus(200)));
    assertThat(awaitOneLeader(Duration.ofSeconds(5))).isEqualTo(1 - first);

    // Every change was POSTed to each salve's webhook, the last one naming the current leader.
    await().atMost(Duration.ofSeconds(5)).pollInterval(POLL).untilAsserted(() -> {
      List<LoggedRequest> posts = apps.get(1 - first).findAll(postRequestedFor(urlEqualTo("/leader-changed")));
      assertThat(posts).isNotEmpty();
      JsonNode last = new com.fasterxml.jackson.databind.ObjectMapper().readTree(posts.get(posts.size() - 1).getBodyAsString());
      assertThat(last.path("election").asText()).isEqualTo(ELECTION);
      assertThat(last.path("self").asBoolean()).isTrue();
      assertThat(last.path("fencingToken").asLong()).isEqualTo(token2);
    });
  }

  @Test
  void sigkillOfTheLeaderMovesLeadershipWithinTtlPlus2sAndAnswersAPendingWait() throws Exception {
    int first = awaitOneLeader(Duration.ofSeconds(20));
    SalveProcess leading = salves.get(first);
    SalveProcess survivor = salves.get(1 - first);
    long token1 = token(survivor);
    String since = leader(survivor).path("since").asText();

    HttpClient client = Http.newClient();
    CompletableFuture<HttpResponse<String>> pending =
        client.sendAsync(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + survivor.adminPort() + "/leader?wait=60s&since=" + since))
                .timeout(Duration.ofSeconds(70))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    Thread.sleep(200); // let the wait reach salve; a wait answered at once would fail the assertions below
    assertThat(pending).as("the wait is pending while nothing changes").isNotDone();

    long t0 = System.nanoTime();
    leading.process().destroyForcibly(); // SIGKILL: no resignation, no revocation
    HttpResponse<String> answer = pending.get(TTL.plusSeconds(2).toMillis(), TimeUnit.MILLISECONDS);
    long movedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    System.out.println("leadership moved " + movedMillis + "ms after SIGKILL of the leader");
    JsonNode view = json(answer);
    // The first change the survivor sees may be "no leader" (old key expired) just before it wins.
    if (!view.path("self").asBoolean()) {
      await().atMost(TTL.plusSeconds(2).minusMillis(movedMillis)).pollInterval(POLL)
          .until(() -> leader(survivor).path("self").asBoolean());
      view = leader(survivor);
    }
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThanOrEqualTo(TTL.plusSeconds(2).toMillis());
    assertThat(view.path("self").asBoolean()).isTrue();
    assertThat(view.path("leader").asText()).isEqualTo(first == 0 ? "b" : "a");
    assertThat(view.path("fencingToken").asLong()).isGreaterThan(token1);
    leading.stop(); // reaps the killed process (exit 137), so teardown does not expect a clean exit
  }

  @Test
  void sigtermResignsBeforeDrainingSoTheNextLeaderNeedNotWaitForTheLease() throws Exception {
    int first = awaitOneLeader(Duration.ofSeconds(20));
    SalveProcess leading = salves.get(first);
    SalveProcess survivor = salves.get(1 - first);
    long token1 = token(survivor);

    long t0 = System.nanoTime();
    leading.terminate();
    await().atMost(TTL).pollInterval(POLL).until(() -> leader(survivor).path("self").asBoolean());
    System.out.println("leadership moved " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)
        + "ms after SIGTERM of the leader");
    assertThat(token(survivor)).isGreaterThan(token1);
    assertThat(leading.stop()).as("exit code after SIGTERM").isZero();
    String log = leading.stderr();
    assertThat(log).contains("steps down: shutting down").contains("coordination: stepped down in");
  }

  @Test
  void whileEtcdIsFrozenTheLeaderStepsDownWithinTtlAndSalveKeepsServingThenTheElectionResumes() throws Exception {
    int first = awaitOneLeader(Duration.ofSeconds(20));
    SalveProcess leading = salves.get(first);
    long token1 = token(leading);

    etcd.freeze();
    long t0 = System.nanoTime();
    try {
      await().atMost(TTL).pollInterval(POLL).until(() -> !leader(leading).path("self").asBoolean());
      System.out.println("leader reported self: false " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)
          + "ms after etcd froze");
      for (SalveProcess s : salves) {
        assertThat(Http.get(s.adminPort(), "/live").statusCode()).isEqualTo(200);
        HttpResponse<String> r = Http.get(s.port("egress"), "/work");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(leader(s).path("self").asBoolean()).as("nobody claims to lead while etcd is frozen").isFalse();
      }
      await().atMost(Duration.ofSeconds(5)).pollInterval(POLL)
          .untilAsserted(() -> assertThat(etcdUp(leading)).isEqualTo(0.0));
      JsonNode state = json(Http.get(leading.adminPort(), "/admin/state")).path("coordination");
      assertThat(state.path("etcd").path("up").asBoolean()).isFalse();
      assertThat(state.path("etcd").path("lastError").asText()).isNotEmpty();
    } finally {
      etcd.thaw();
    }
    int next = awaitOneLeader(Duration.ofSeconds(15));
    long token2 = token(salves.get(next));
    assertThat(token2).isGreaterThanOrEqualTo(token1);
    if (next != first || token2 != token1) {
      assertThat(token2).as("a new term has a larger token").isGreaterThan(token1);
    }
    await().atMost(Duration.ofSeconds(5)).pollInterval(POLL)
        .untilAsserted(() -> assertThat(etcdUp(leading)).isEqualTo(1.0));
  }

  @Test
  void whileEtcdIsStoppedNobodyLeadsAndSalveKeepsServingThenTheElectionResumes() throws Exception {
    int first = awaitOneLeader(Duration.ofSeconds(20));
    long token1 = token(salves.get(first));

    etcd.stop();
    long t0 = System.nanoTime();
    await().atMost(TTL).pollInterval(POLL).until(() -> !leader(salves.get(first)).path("self").asBoolean());
    System.out.println("leader reported self: false " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)
        + "ms after etcd stopped");
    for (SalveProcess s : salves) {
      assertThat(Http.get(s.adminPort(), "/live").statusCode()).isEqualTo(200);
      assertThat(Http.get(s.port("egress"), "/work").statusCode()).isEqualTo(200);
    }
    await().atMost(Duration.ofSeconds(5)).pollInterval(POLL)
        .untilAsserted(() -> assertThat(etcdUp(salves.get(first))).isEqualTo(0.0));
    Thread.sleep(3000); // stay down past the ttl and a few reconnect attempts (salve backs off meanwhile)
    assertThat(leader(salves.get(0)).path("self").asBoolean() || leader(salves.get(1)).path("self").asBoolean())
        .as("nobody leads without etcd").isFalse();

    etcd.restart();
    long t1 = System.nanoTime();
    int next = awaitOneLeader(Duration.ofSeconds(15));
    System.out.println("election resumed " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1)
        + "ms after etcd was healthy again");
    // etcd restores leases with a fresh ttl when it restarts: the old leader may simply carry on
    // (same key, same token); any other outcome is a new term with a larger token.
    long token2 = token(salves.get(next));
    if (next == first) {
      assertThat(token2).isGreaterThanOrEqualTo(token1);
    } else {
      assertThat(token2).as("a new term").isGreaterThan(token1);
    }
    await().atMost(Duration.ofSeconds(5)).pollInterval(POLL)
        .untilAsserted(() -> assertThat(etcdUp(salves.get(next))).isEqualTo(1.0));
  }

  private static double etcdUp(SalveProcess s) {
    Matcher m = Pattern.compile("(?m)^salve_etcd_up (\\S+)$").matcher(Http.get(s.adminPort(), "/metrics").body());
    assertThat(m.find()).as("salve_etcd_up is exported").isTrue();
    return Double.parseDouble(m.group(1));
  }
}
