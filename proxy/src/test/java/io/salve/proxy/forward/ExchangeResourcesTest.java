package io.salve.proxy.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.salve.config.ConfigLoader;
import io.salve.proxy.resilience.ConcurrencyLimit;
import io.salve.proxy.upstream.Endpoint;
import io.salve.proxy.upstream.Upstream;
import io.salve.proxy.upstream.Upstreams;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each resource an exchange holds is given back exactly once, however often release is asked for. */
class ExchangeResourcesTest {
  private static final String YAML =
      """
      listeners:
        - name: ingress
          address: 127.0.0.1:0
          routes:
            - match: { pathPrefix: / }
              upstream: app
      upstreams:
        app:
          endpoints: [127.0.0.1:7001]
          circuitBreaker: { failureThreshold: 5, openDuration: 30s }
      """;

  private final Upstreams upstreams = new Upstreams(parse(YAML), 1);
  private final Upstream upstream = upstreams.get("app");
  private final Endpoint endpoint = upstream.endpoints().get(0);
  private final ConcurrencyLimit bulkhead = ConcurrencyLimit.of(1);
  private final List<Integer> admissionReleases = new ArrayList<>();
  private final FakeUpstreamSide.Stream stream = new FakeUpstreamSide.Stream(endpoint, null);

  private static io.salve.config.SalveConfig parse(String yaml) {
    try {
      return new ConfigLoader(Map.of()).parse(yaml, "test.yaml");
    } catch (io.salve.config.ConfigException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  @AfterEach
  void tearDown() {
    upstreams.close();
  }

  private ExchangeResources resources(ReplayBuffer replay) {
    return new ExchangeResources(bulkhead, (status, nanos) -> admissionReleases.add(status), new AttemptLedger(upstream), replay);
  }

  @Test
  void close_releasesEverythingOnce_andASecondCloseDoesNothing() {
    ReplayBuffer replay = new ReplayBuffer(1024);
    ExchangeResources held = resources(replay);
    assertThat(held.acquireBulkhead()).isTrue();
    assertThat(held.ledger().admit()).isTrue();
    held.beginAttempt(endpoint);
    held.holdStream(stream);

    assertThat(held.close(200, 1)).isTrue();
    assertThat(held.close(200, 1)).isFalse();
    held.releaseAttempt(true);

    assertThat(bulkhead.inFlight()).isZero();
    assertThat(endpoint.inFlight().get()).isZero();
    assertThat(stream.releases).isEqualTo(1);
    assertThat(stream.reusable).isFalse(); // given back by close: state unknown
    assertThat(admissionReleases).containsExactly(200);
    assertThat(held.isClosed()).isTrue();
  }

  @Test
  void releaseAttempt_twice_decrementsInFlightAndReleasesTheStreamOnce() {
    ExchangeResources held = resources(null);
    held.beginAttempt(endpoint);
    held.holdStream(stream);
    stream.setAutoRead(false);

    held.releaseAttempt(true);
    held.releaseAttempt(false);

    assertThat(endpoint.inFlight().get()).isZero();
    assertThat(stream.releases).isEqualTo(1);
    assertThat(stream.reusable).isTrue();
    assertThat(stream.autoRead).as("a paused stream is resumed before it goes back").isTrue();
    assertThat(held.attemptHeld()).isFalse();
    assertThat(held.stream()).isNull();
  }

  @Test
  void beginAttempt_releasesAFormerAttemptFirst() {
    ExchangeResources held = resources(null);
    held.beginAttempt(endpoint);
    held.beginAttempt(endpoint);
    assertThat(endpoint.inFlight().get()).isEqualTo(1);
    held.close(200, 0);
    assertThat(endpoint.inFlight().get()).isZero();
  }

  @Test
  void bulkheadRefused_isNotReleased() {
    assertThat(bulkhead.tryAcquire()).isTrue(); // someone else holds the only slot
    ExchangeResources held = resources(null);
    assertThat(held.acquireBulkhead()).isFalse();
    held.close(503, 0);
    assertThat(bulkhead.inFlight()).as("the other holder's slot is untouched").isEqualTo(1);
    assertThat(admissionReleases).containsExactly(503);
  }
}
