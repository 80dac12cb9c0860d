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
 * {@link KeptLease} of {@code ttl} while the {@code whenHealthy} upstream is healthy, revokes it
 * when that upstream turns unhealthy and on shutdown, and registers again on recovery or when etcd
 * says the lease is gone (for example after etcd was unreachable for longer than the ttl).
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
  private final Ticker ticker;
  private final Clock clock;
  private final RegistrationState state;
  private ScheduledFuture<?> ticks;
  private boolean stopping;
  /** The lease the key lives under, or null when this instance is not registered. */
  private KeptLease lease;
  /** The registration call in flight (completes after its outcome was applied), for shutdown. */
  private CompletableFuture<Void> pending = CompletableFuture.completedFuture(null);
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
    this.ticker = ticker;
    this.clock = clock;
    this.state = new RegistrationState(ticker);
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
          session.addListener(
              up -> {
                if (up) {
                  state.retryNow(); // etcd is back: register at the next tick, not after the backoff
                }
              });
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
    switch (state.next(up && !stopping, lease != null)) {
      case REGISTER -> register();
      case REVOKE -> revoke(stopping ? "shutting down" : "upstream " + config.whenHealthy() + " has no healthy endpoint");
      case NONE -> {}
    }
    status = status(up);
  }

  private String status(boolean up) {
    if (lease != null) {
      return lease.trusted() ? "registered" : "registered, unconfirmed (" + lease.lastError() + ")";
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
    Instant now = clock.instant();
    ByteSequence value = EtcdSession.bytes(Registrations.value(config.address(), identity, now));
    KeptLease[] mine = new KeptLease[1];
    KeptLease.Listener onLoss = () -> onLeaseLost(mine[0]);
    pending =
        KeptLease.grant(session, config.ttl(), ticker, onLoss)
            .thenCompose(
                granted ->
                    session
                        .call(
                            "registration put",
                            () ->
                                session.client().getKVClient()
                                    .put(EtcdSession.bytes(key), value, PutOption.builder().withLeaseId(granted.id()).build()))
                        .handle(
                            (put, error) -> {
                              if (error != null) {
                                granted.revoke(); // nothing is attached to it: give it back, do not wait
                                throw new IllegalStateException(EtcdSession.describe(error));
                              }
                              return granted;
                            }))
            .handleAsync(
                (granted, error) -> {
                  if (error != null) {
                    state.failed();
                    lastError = EtcdSession.describe(error);
                    LOG.debug("registration of {} failed: {}", key, lastError);
                    return null;
                  }
                  state.succeeded();
                  mine[0] = granted;
                  lease = granted;
                  lastError = null;
                  registeredAt = now.toString();
                  status = status(healthy.getAsBoolean());
                  LOG.info("registration: {} = {} under lease {}", key, config.address(), Long.toHexString(granted.id()));
                  return null;
                },
                session.executor());
  }

  private void onLeaseLost(KeptLease lost) {
    if (lost == null || lease != lost) {
      return; // an older lease, already replaced or given back
    }
    lease = null;
    registeredAt = null;
    LOG.warn("registration: etcd no longer has the lease of {} (it expired while etcd could not be reached); registering again", key);
  }

  private void revoke(String why) {
    state.sent();
    KeptLease held = lease;
    lease = null;
    registeredAt = null;
    pending =
        held.revoke()
            .whenCompleteAsync(
                (r, e) -> {
                  state.succeeded();
                  status = status(healthy.getAsBoolean());
                  LOG.info("registration: revoked {} ({})", key, why);
                },
                session.executor());
  }

  /**
   * Stops registering and revokes the lease, if any, after any registration call in flight; completes
   * when etcd answered or the call timed out. Called on shutdown before draining.
   */
  CompletableFuture<Void> stop() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    session.executor().execute(
        () -> {
          stopping = true;
          if (ticks != null) {
            ticks.cancel(false);
          }
          status = "not registered: shutting down";
          pending
              .handle((r, e) -> null)
              .thenComposeAsync(
                  ignored -> {
                    if (lease == null) {
                      return CompletableFuture.<Void>completedFuture(null);
                    }
                    KeptLease held = lease;
                    lease = null;
                    registeredAt = null;
                    return held.revoke().thenRun(() -> LOG.info("registration: revoked {} (shutting down)", key));
                  },
                  session.executor())
              .whenComplete((r, e) -> done.complete(null));
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
