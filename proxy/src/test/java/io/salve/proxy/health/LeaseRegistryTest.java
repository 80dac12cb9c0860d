package io.salve.proxy.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.salve.config.LeasesConfig;
import io.salve.proxy.util.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LeaseRegistryTest {

  private static final Duration TTL = Duration.ofSeconds(10);
  private static final String A = "10.0.0.1:8080";
  private static final String B = "10.0.0.2:8080";

  private final FakeTicker ticker = new FakeTicker();
  private final RecordingListener events = new RecordingListener();
  private LeaseRegistry registry;

  @BeforeEach
  void setUp() {
    registry = new LeaseRegistry("app", TTL, ticker);
    registry.addListener(events);
  }

  @Test
  void grantRegistersWithTheDefaultTtl() {
    long now = ticker.nanos();

    Lease lease = registry.grantOrRenew(A, null);

    assertThat(lease).isEqualTo(new Lease(A, TTL.toNanos(), now + TTL.toNanos(), true));
    assertThat(registry.active()).containsExactly(A);
    assertThat(registry.size()).isEqualTo(1);
    assertThat(registry.remainingNanos(A)).hasValue(TTL.toNanos());
    assertThat(events.log).containsExactly("registered app/" + A);
  }

  @Test
  void grantHonoursACustomTtl() {
    long now = ticker.nanos();

    Lease lease = registry.grantOrRenew(A, Duration.ofSeconds(3));

    assertThat(lease.ttlNanos()).isEqualTo(Duration.ofSeconds(3).toNanos());
    assertThat(lease.expiresAtNanos()).isEqualTo(now + Duration.ofSeconds(3).toNanos());
    ticker.advance(Duration.ofSeconds(3));
    assertThat(registry.active()).isEmpty();
  }

  @Test
  void renewingAnActiveLeaseExtendsItWithoutAnEvent() {
    registry.grantOrRenew(A, null);
    ticker.advance(Duration.ofSeconds(9));

    Lease renewed = registry.grantOrRenew(A, null);

    assertThat(renewed.isNew()).isFalse();
    assertThat(renewed.expiresAtNanos()).isEqualTo(ticker.nanos() + TTL.toNanos());
    ticker.advance(Duration.ofSeconds(9));
    assertThat(registry.active()).containsExactly(A);
    assertThat(registry.expire()).isEmpty();
    assertThat(events.log).containsExactly("registered app/" + A);
  }

  @Test
  void renewalAppliesItsOwnTtl() {
    registry.grantOrRenew(A, null);

    Lease renewed = registry.grantOrRenew(A, Duration.ofSeconds(2));

    assertThat(renewed.ttlNanos()).isEqualTo(Duration.ofSeconds(2).toNanos());
    assertThat(registry.remainingNanos(A)).hasValue(Duration.ofSeconds(2).toNanos());
  }

  @Test
  void leaseIsActiveJustBeforeTtlAndExpiredExactlyAtIt() {
    registry.grantOrRenew(A, null);

    ticker.advance(TTL.minusNanos(1));
    assertThat(registry.active()).containsExactly(A);
    assertThat(registry.remainingNanos(A)).hasValue(1);
    assertThat(registry.expire()).isEmpty();

    ticker.advance(Duration.ofNanos(1));
    assertThat(registry.active()).isEmpty();
    assertThat(registry.size()).isZero();
    assertThat(registry.remainingNanos(A)).isEmpty();
    assertThat(registry.expire()).containsExactly(A);
    assertThat(events.log).containsExactly("registered app/" + A, "expired app/" + A);
  }

  @Test
  void readsHideExpiredLeasesBeforeExpireRuns() {
    registry.grantOrRenew(A, null);
    registry.grantOrRenew(B, Duration.ofSeconds(20));

    ticker.advance(Duration.ofSeconds(15));

    assertThat(registry.active()).containsExactly(B);
    assertThat(registry.size()).isEqualTo(1);
    assertThat(registry.remainingNanos(A)).isEmpty();
    assertThat(registry.remainingNanos(B)).hasValue(Duration.ofSeconds(5).toNanos());
  }

  @Test
  void expireIsIdempotent() {
    registry.grantOrRenew(A, null);
    registry.grantOrRenew(B, null);
    ticker.advance(TTL);

    assertThat(registry.expire()).containsExactly(A, B);
    assertThat(registry.expire()).isEmpty();
    ticker.advance(TTL);
    assertThat(registry.expire()).isEmpty();

    assertThat(events.log)
        .containsExactly(
            "registered app/" + A, "registered app/" + B, "expired app/" + A, "expired app/" + B);
  }

  @Test
  void expireLeavesActiveLeasesAlone() {
    registry.grantOrRenew(A, Duration.ofSeconds(1));
    registry.grantOrRenew(B, null);
    ticker.advance(Duration.ofSeconds(1));

    assertThat(registry.expire()).containsExactly(A);
    assertThat(registry.active()).containsExactly(B);
  }

  @Test
  void reRegisteringAfterExpireIsNew() {
    registry.grantOrRenew(A, null);
    ticker.advance(TTL);
    registry.expire();

    Lease again = registry.grantOrRenew(A, null);

    assertThat(again.isNew()).isTrue();
    assertThat(registry.active()).containsExactly(A);
    assertThat(events.log)
        .containsExactly("registered app/" + A, "expired app/" + A, "registered app/" + A);
  }

  @Test
  void reRegisteringAfterExpiryBeforeExpireRunsIsNewAndReportsTheExpiry() {
    registry.grantOrRenew(A, null);
    ticker.advance(TTL);

    Lease again = registry.grantOrRenew(A, null);

    assertThat(again.isNew()).isTrue();
    assertThat(again.expiresAtNanos()).isEqualTo(ticker.nanos() + TTL.toNanos());
    assertThat(events.log)
        .containsExactly("registered app/" + A, "expired app/" + A, "registered app/" + A);
    // The stale lease was already accounted for: the sweep must not expire it a second time.
    assertThat(registry.expire()).isEmpty();
    assertThat(registry.active()).containsExactly(A);
  }

  @Test
  void revokeRemovesAnActiveLease() {
    registry.grantOrRenew(A, null);
    registry.grantOrRenew(B, null);

    assertThat(registry.revoke(A)).isTrue();

    assertThat(registry.active()).containsExactly(B);
    assertThat(registry.remainingNanos(A)).isEmpty();
    assertThat(registry.revoke(A)).isFalse();
    ticker.advance(TTL);
    assertThat(registry.expire()).containsExactly(B);
    assertThat(events.log)
        .containsExactly(
            "registered app/" + A,
            "registered app/" + B,
            "revoked app/" + A,
            "expired app/" + B);
  }

  @Test
  void revokingAnUnknownEndpointDoesNothing() {
    assertThat(registry.revoke(A)).isFalse();
    assertThat(events.log).isEmpty();
  }

  @Test
  void revokingALeaseThatAlreadyRanOutReportsItAsExpired() {
    registry.grantOrRenew(A, null);
    ticker.advance(TTL);

    assertThat(registry.revoke(A)).isFalse();

    assertThat(events.log).containsExactly("registered app/" + A, "expired app/" + A);
    assertThat(registry.expire()).isEmpty();
  }

  @Test
  void activeIsASortedSnapshot() {
    registry.grantOrRenew(B, null);
    registry.grantOrRenew(A, null);

    Set<String> snapshot = registry.active();
    registry.revoke(A);

    assertThat(snapshot).containsExactly(A, B);
    assertThatThrownBy(() -> snapshot.add("x")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void aFailingListenerDoesNotStopOthersOrTheCall() {
    LeaseRegistry registry = new LeaseRegistry("app", TTL, ticker);
    RecordingListener after = new RecordingListener();
    registry.addListener(
        new LeaseListener() {
          @Override
          public void onRegistered(String upstream, String endpoint) {
            throw new IllegalStateException("boom");
          }

          @Override
          public void onExpired(String upstream, String endpoint) {
            throw new IllegalStateException("boom");
          }

          @Override
          public void onRevoked(String upstream, String endpoint) {
            throw new IllegalStateException("boom");
          }

          @Override
          public String toString() {
            return "throwing test listener";
          }
        });
    registry.addListener(after);

    assertThat(registry.grantOrRenew(A, null).isNew()).isTrue();
    ticker.advance(TTL);
    assertThat(registry.expire()).containsExactly(A);

    assertThat(after.log).containsExactly("registered app/" + A, "expired app/" + A);
  }

  @Test
  void takesTheDefaultTtlFromConfig() {
    LeaseRegistry fromConfig =
        LeaseRegistry.of("db", new LeasesConfig(Duration.ofSeconds(30)), ticker);

    assertThat(fromConfig.upstream()).isEqualTo("db");
    assertThat(fromConfig.grantOrRenew(A, null).ttlNanos())
        .isEqualTo(Duration.ofSeconds(30).toNanos());
  }

  @Test
  void rejectsNonPositiveTtls() {
    assertThatThrownBy(() -> new LeaseRegistry("app", Duration.ZERO, ticker))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> registry.grantOrRenew(A, Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(registry.active()).isEmpty();
  }

  @Test
  void eventsAlternatePerEndpointUnderConcurrentRenewalAndExpiry() throws Exception {
    // Admin renewals, expiry sweeps and readers race while time moves; whatever the interleaving,
    // each endpoint's events must alternate registered / (expired | revoked).
    List<String> endpoints = List.of(A, B, "10.0.0.3:8080");
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch start = new CountDownLatch(1);
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());

    Thread admin =
        worker(
            start,
            failures,
            () -> {
              for (int i = 0; i < 20_000; i++) {
                String endpoint = endpoints.get(i % endpoints.size());
                if (i % 7 == 0) {
                  registry.revoke(endpoint);
                } else {
                  registry.grantOrRenew(endpoint, Duration.ofNanos(1 + i % 50));
                }
              }
              stop.set(true);
            });
    Thread sweeper =
        worker(
            start,
            failures,
            () -> {
              while (!stop.get()) {
                registry.expire();
              }
            });
    Thread clock =
        worker(
            start,
            failures,
            () -> {
              while (!stop.get()) {
                ticker.advance(Duration.ofNanos(3));
              }
            });
    Thread reader =
        worker(
            start,
            failures,
            () -> {
              while (!stop.get()) {
                assertThat(registry.size()).isBetween(0, endpoints.size());
                assertThat(endpoints).containsAll(registry.active());
              }
            });
    start.countDown();
    for (Thread thread : List.of(admin, sweeper, clock, reader)) {
      thread.join();
    }
    registry.expire();

    assertThat(failures).isEmpty();
    Map<String, Boolean> registered = new HashMap<>();
    for (String event : events.snapshot()) {
      String[] parts = event.split(" app/");
      boolean wasRegistered = registered.getOrDefault(parts[1], false);
      if (parts[0].equals("registered")) {
        assertThat(wasRegistered).as("double registration: %s", event).isFalse();
        registered.put(parts[1], true);
      } else {
        assertThat(wasRegistered).as("end without registration: %s", event).isTrue();
        registered.put(parts[1], false);
      }
    }
    for (String endpoint : endpoints) {
      assertThat(registered.getOrDefault(endpoint, false))
          .isEqualTo(registry.active().contains(endpoint));
    }
  }

  private static Thread worker(CountDownLatch start, List<Throwable> failures, Runnable body) {
    Thread thread =
        new Thread(
            () -> {
              try {
                start.await();
                body.run();
              } catch (Throwable t) {
                failures.add(t);
              }
            });
    thread.start();
    return thread;
  }

  private static final class RecordingListener implements LeaseListener {
    final List<String> log = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void onRegistered(String upstream, String endpoint) {
      log.add("registered " + upstream + "/" + endpoint);
    }

    @Override
    public void onExpired(String upstream, String endpoint) {
      log.add("expired " + upstream + "/" + endpoint);
    }

    @Override
    public void onRevoked(String upstream, String endpoint) {
      log.add("revoked " + upstream + "/" + endpoint);
    }

    List<String> snapshot() {
      synchronized (log) {
        return new ArrayList<>(log);
      }
    }
  }
}
