package io.salve.proxy.coord;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.options.PutOption;
import io.salve.config.CoordinationConfig.RegistrationConfig;
import io.salve.proxy.util.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code coordination.registration}: puts {@code {namespace}/services/{service}/{identity}} under a
 * lease of {@code ttl} while the {@code whenHealthy} upstream is healthy, renews it, revokes it when
 * that upstream turns unhealthy and on shutdown, and registers again on recovery or when the lease
 * was lost (for example after etcd was unreachable for longer than the TTL).
 *
 * <p>Runs on the session's coordination thread, driven by a short periodic tick; the decisions are
 * {@link RegistrationState}'s.
 */
final class EtcdRegistration {
  private static final Logger LOG = LoggerFactory.getLogger(EtcdRegistration.class);
  private static final Duration MAX_TICK = Duration.ofMillis(100);

  private final EtcdSession session;
  private final RegistrationConfig config;
  private final String identity;
  private final String key;
  private final BooleanSupplier healthy;
  private final Clock clock;
  private final RegistrationState state;
  private ScheduledFuture<?> ticks;
  private boolean stopping;
  private String lastError;
  private volatile String status = "starting";
  private volatile String registeredAt;

  EtcdRegistration(
      EtcdSession session, RegistrationConfig config, String identity, BooleanSupplier healthy, Ticker ticker, Clock clock) {
    this.session = session;
    this.config = config;
    this.identity = identity;
    this.key = Registrations.servicePrefix(session.namespace(), config.service()) + identity;
    this.healthy = healthy;
    this.clock = clock;
    this.state = new RegistrationState(config.ttl(), ticker);
  }

  void start() {
    session.executor().execute(
        () -> {
          LOG.info(
              "registration: {} as {} under {} (lease ttl {}s{})",
              config.address(),
              identity,
              key,
              config.ttl().toSeconds(),
              config.whenHealthy() == null ? "" : ", while upstream " + config.whenHealthy() + " is healthy");
          long tick = Math.min(MAX_TICK.toMillis(), Math.max(10, config.ttl().toMillis() / 10));
          ticks = session.executor().scheduleWithFixedDelay(this::tick, 0, tick, TimeUnit.MILLISECONDS);
        });
  }

  private void tick() {
    try {
      step();
    } catch (RuntimeException e) {
      // A periodic task that throws is never run again: log and keep registering.
      LOG.warn("registration of {} failed a step", key, e);
    }
  }

  private void step() {
    boolean up = healthy.getAsBoolean();
    boolean wanted = up && !stopping;
    long leaseBefore = state.leaseId();
    RegistrationState.Action action = state.next(wanted);
    if (leaseBefore != 0 && state.leaseId() == 0) {
      LOG.warn(
          "registration: etcd has not confirmed the lease of {} for {}s: presumed expired{}",
          key,
          config.ttl().toSeconds(),
          wanted ? "; registering again" : "");
      registeredAt = null;
    }
    switch (action) {
      case REGISTER -> register();
      case RENEW -> renew();
      case REVOKE -> revoke(stopping ? "shutting down" : "upstream " + config.whenHealthy() + " has no healthy endpoint");
      case NONE -> {}
    }
    status = status(up);
  }

  private String status(boolean up) {
    if (state.leaseId() != 0) {
      return "registered";
    }
    if (stopping) {
      return "not registered: shutting down";
    }
    if (!up) {
      return "not registered: upstream " + config.whenHealthy() + " has no healthy endpoint";
    }
    return lastError == null ? "registering" : "registering (last attempt: " + lastError + ")";
  }

  private void register() {
    state.sent();
    long ttlSeconds = Math.max(1, config.ttl().toSeconds());
    Instant now = clock.instant();
    String at = now.toString();
    ByteSequence value = EtcdSession.bytes(Registrations.value(config.address(), identity, now));
    session
        .call("registration lease grant", () -> session.client().getLeaseClient().grant(ttlSeconds))
        .thenCompose(
            grant ->
                session
                    .call(
                        "registration put",
                        () ->
                            session.client().getKVClient()
                                .put(EtcdSession.bytes(key), value, PutOption.builder().withLeaseId(grant.getID()).build()))
                    .handle(
                        (put, error) -> {
                          if (error != null) {
                            session.client().getLeaseClient().revoke(grant.getID()); // best effort, do not wait
                            throw new IllegalStateException(EtcdSession.describe(error));
                          }
                          return grant.getID();
                        }))
        .whenCompleteAsync(
            (leaseId, error) -> {
              if (error != null) {
                state.failed();
                lastError = EtcdSession.describe(error);
                LOG.debug("registration of {} failed: {}", key, EtcdSession.describe(error));
                return;
              }
              if (stopping) {
                revokeCall(leaseId); // granted while shutting down: give it back at once
                return;
              }
              state.registered(leaseId);
              registeredAt = at;
              lastError = null;
              LOG.info("registration: {} = {} under lease {}", key, config.address(), Long.toHexString(leaseId));
            },
            session.executor());
  }

  private void renew() {
    state.sent();
    long id = state.leaseId();
    session
        .call("registration lease renewal", () -> session.client().getLeaseClient().keepAliveOnce(id))
        .whenCompleteAsync(
            (resp, error) -> {
              if (error == null && resp.getTTL() > 0) {
                state.renewed();
              } else if (error == null || isLeaseNotFound(error)) {
                state.lost();
                registeredAt = null;
                LOG.warn("registration: etcd no longer has the lease of {}; registering again", key);
              } else {
                state.failed();
              }
            },
            session.executor());
  }

  private void revoke(String why) {
    state.sent();
    long id = state.leaseId();
    revokeCall(id)
        .whenCompleteAsync(
            (resp, error) -> {
              state.revoked();
              registeredAt = null;
              if (error == null) {
                LOG.info("registration: revoked {} ({})", key, why);
              } else {
                LOG.warn(
                    "registration: could not revoke {} ({}): {}; it expires within {}s",
                    key,
                    why,
                    EtcdSession.describe(error),
                    config.ttl().toSeconds());
              }
            },
            session.executor());
  }

  private CompletableFuture<?> revokeCall(long id) {
    return session.call("registration revoke", () -> session.client().getLeaseClient().revoke(id));
  }

  private static boolean isLeaseNotFound(Throwable error) {
    String msg = EtcdSession.unwrap(error).getMessage();
    return msg != null && msg.contains("lease not found");
  }

  /**
   * Stops registering and revokes the lease, if any; completes when etcd answered or the call
   * timed out. Called on shutdown before draining.
   */
  CompletableFuture<Void> stop() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    session.executor().execute(
        () -> {
          stopping = true;
          if (ticks != null) {
            ticks.cancel(false);
          }
          long id = state.leaseId();
          if (id == 0) {
            done.complete(null);
            return;
          }
          // A call may be in flight (e.g. a renewal); revoking the lease it renews is still right.
          state.revoked();
          revokeCall(id)
              .whenComplete(
                  (r, error) -> {
                    status = "not registered: shutting down";
                    if (error == null) {
                      LOG.info("registration: revoked {} (shutting down)", key);
                    } else {
                      LOG.warn("registration: could not revoke {} on shutdown: {}", key, EtcdSession.describe(error));
                    }
                    done.complete(null);
                  });
        });
    return done;
  }

  /** @return the {@code registration} part of {@code /admin/state}. */
  Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("service", config.service());
    m.put("key", key);
    m.put("address", config.address().toString());
    m.put("status", status);
    m.put("registeredAt", registeredAt);
    return m;
  }
}
