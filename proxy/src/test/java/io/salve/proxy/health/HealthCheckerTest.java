package io.salve.proxy.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoop;
import io.salve.config.ConfigLoader;
import io.salve.proxy.health.probe.Prober;
import io.salve.proxy.upstream.Endpoint;
import io.salve.proxy.upstream.Upstream;
import io.salve.proxy.upstream.Upstreams;
import io.salve.proxy.util.FakeTicker;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The probe loops with a scripted prober on real event loops (10ms interval). Assertions wait for
 * events with latches, so they do not depend on timing, only on the order of events.
 */
class HealthCheckerTest {

  private static final String A = "127.0.0.1:7000";
  private static final String B = "127.0.0.1:7001";
  private static final String YAML =
      """
      listeners:
        - name: egress
          address: 127.0.0.1:0
          routes:
            - match: { pathPrefix: / }
              upstream: app
      upstreams:
        app:
          endpoints: [%s, %s]
          healthCheck: { interval: 10ms, unhealthyThreshold: 2, healthyThreshold: 1, panicThreshold: 0.0 }
          outlierDetection: { consecutiveFailures: 1 }
      """
          .formatted(A, B);

  /** Answers from a per-endpoint switch, on the loop it is given, and checks it is called there. */
  private static final class ScriptedProber implements Prober {
    final Set<String> failing = ConcurrentHashMap.newKeySet();
    final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    final AtomicInteger offLoopCalls = new AtomicInteger();

    @Override
    public void probe(Endpoint endpoint, EventLoop loop, Consumer<ProbeResult> done) {
      if (!loop.inEventLoop()) {
        offLoopCalls.incrementAndGet();
      }
      calls.computeIfAbsent(endpoint.key(), k -> new AtomicInteger()).incrementAndGet();
      done.accept(failing.contains(endpoint.key()) ? ProbeResult.fail("scripted") : ProbeResult.pass("scripted"));
    }

    int calls(String key) {
      AtomicInteger n = calls.get(key);
      return n == null ? 0 : n.get();
    }
  }

  /** Records transitions and counts down latches on the events tests wait for. */
  private static final class Recorder implements HealthChecker.Listener {
    final List<String> transitions = new CopyOnWriteArrayList<>();
    volatile CountDownLatch transition = new CountDownLatch(1);
    volatile CountDownLatch probeOfA = new CountDownLatch(1);

    @Override
    public void onProbe(Endpoint endpoint, ProbeResult result) {
      if (endpoint.key().equals(A)) {
        probeOfA.countDown();
      }
    }

    @Override
    public void onTransition(Endpoint endpoint, boolean healthy, ProbeResult cause) {
      transitions.add(endpoint.key() + (healthy ? " healthy" : " unhealthy"));
      transition.countDown();
    }
  }

  private final FakeTicker ticker = new FakeTicker();
  private final ScriptedProber prober = new ScriptedProber();
  private final Recorder recorder = new Recorder();
  private DefaultEventLoopGroup workers;
  private Upstreams upstreams;
  private Upstream app;
  private HealthChecker checker;

  @BeforeEach
  void setUp() throws Exception {
    workers = new DefaultEventLoopGroup(2);
    upstreams = new Upstreams(new ConfigLoader(Map.of()).parse(YAML, "test.yaml"), 2);
    app = upstreams.get("app");
    checker = new HealthChecker(workers, ticker, new Random(42));
    checker.register(app, app.config().healthCheck(), prober);
    checker.addListener(recorder);
  }

  @AfterEach
  void tearDown() {
    checker.close();
    upstreams.close();
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private Endpoint endpoint(String key) {
    return app.endpoints().stream().filter(e -> e.key().equals(key)).findFirst().orElseThrow();
  }

  private void watchAll() {
    app.endpoints().forEach(e -> checker.watch(app, e));
  }

  @Test
  void attachesHealthThatCountsAsHealthyBeforeTheFirstResult() {
    checker.attachHealth(app, endpoint(A));

    assertThat(endpoint(A).health()).isNotNull();
    assertThat(endpoint(A).health().lastResult()).isNull();
    assertThat(endpoint(A).isHealthy()).isTrue();
  }

  @Test
  void aFailingEndpointLeavesRotationAfterTheThresholdAndReturnsWhenItPasses() throws Exception {
    prober.failing.add(B);
    watchAll();

    assertThat(recorder.transition.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(recorder.transitions).containsExactly(B + " unhealthy");
    assertThat(endpoint(B).health().consecutiveFailures()).isGreaterThanOrEqualTo(2);
    assertThat(app.eligible()).containsExactly(endpoint(A));

    recorder.transition = new CountDownLatch(1);
    prober.failing.remove(B);

    assertThat(recorder.transition.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(recorder.transitions).containsExactly(B + " unhealthy", B + " healthy");
    assertThat(app.eligible()).containsExactly(endpoint(A), endpoint(B));
    assertThat(prober.offLoopCalls).hasValue(0);
  }

  @Test
  void aPassingProbeReturnsAnEjectedOutlier() throws Exception {
    assertThat(app.outliers().onFailure(A)).isTrue();
    assertThat(app.outliers().isEjected(A)).isTrue();

    watchAll();

    assertThat(recorder.probeOfA.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(app.outliers().isEjected(A)).isFalse();
  }

  @Test
  void aFailingProbeDoesNotReturnAnEjectedOutlier() throws Exception {
    prober.failing.add(A);
    assertThat(app.outliers().onFailure(A)).isTrue();

    watchAll();

    assertThat(recorder.probeOfA.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(app.outliers().isEjected(A)).isTrue();
  }

  @Test
  void everyEndpointDownIsNoHealthyEndpointWithPanicDisabled() throws Exception {
    prober.failing.add(A);
    prober.failing.add(B);
    recorder.transition = new CountDownLatch(2);
    watchAll();

    assertThat(recorder.transition.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(app.healthyCount()).isZero();
    assertThat(app.eligible()).isEmpty();
  }

  @Test
  void unwatchStopsTheProbeLoop() throws Exception {
    checker.watch(app, endpoint(A));
    assertThat(recorder.probeOfA.await(5, TimeUnit.SECONDS)).isTrue();

    checker.unwatch(endpoint(A));
    assertThat(checker.watched()).isZero();
    // Let a probe that was already running finish, then no more may start.
    int after = prober.calls(A);
    recorder.probeOfA = new CountDownLatch(1);
    assertThat(recorder.probeOfA.await(200, TimeUnit.MILLISECONDS)).as("no probe after unwatch").isFalse();
    assertThat(prober.calls(A)).isLessThanOrEqualTo(after + 1);
  }

  @Test
  void watchingTwiceRunsOneLoop() throws Exception {
    checker.watch(app, endpoint(A));
    checker.watch(app, endpoint(A));

    assertThat(checker.watched()).isEqualTo(1);
  }

  @Test
  void closeStopsEveryLoopAndIgnoresLaterWatches() {
    watchAll();
    checker.close();

    assertThat(checker.watched()).isZero();
    checker.watch(app, endpoint(A));
    assertThat(checker.watched()).isZero();
  }
}
