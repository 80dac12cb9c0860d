package io.salve.proxy.coord;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.options.GetOption;
import io.salve.config.CoordinationConfig;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * salve's connection to etcd: one jetcd {@link Client} for {@code coordination.etcd.endpoints}, the
 * key namespace, the coordination thread, and whether etcd currently answers.
 *
 * <p>etcd being unreachable is never fatal: the client is built without connecting, a periodic
 * check (every second while up, with a doubling backoff up to 5s while down) tracks connectivity,
 * and every transition is logged once. Components time-bound their calls with {@link #call} so a
 * frozen etcd can never hang them.
 *
 * <p>Threading: state changes happen on {@link #executor()} (a single daemon thread, {@code
 * salve-coord}); {@link #isUp()} and {@link #lastError()} may be read from any thread.
 */
public final class EtcdSession implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EtcdSession.class);
  /** Bound on one etcd call (and on the connectivity check) before it counts as unanswered. */
  public static final Duration CALL_TIMEOUT = Duration.ofMillis(1500);
  /** While down, repeat the "still unreachable" warning at most this often. */
  private static final long REMIND_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final List<String> endpoints;
  private final String namespace;
  private final Client client;
  private final ScheduledExecutorService executor;
  private final List<ConnectivityListener> listeners = new CopyOnWriteArrayList<>();
  private final ReconnectBackoff backoff = new ReconnectBackoff();
  private final ChannelBackoffReset reconnect;
  /** Held so the level set on it sticks (JUL keeps loggers weakly). */
  private final java.util.logging.Logger grpcLog = java.util.logging.Logger.getLogger("io.grpc");
  private volatile boolean up;
  private volatile String lastError;
  private volatile boolean closed;
  private long lastRemindNanos;
  private boolean everUp;
  /** Leases salve gave up while etcd did not answer: etcd restores leases on restart, so revoke them when it is back. */
  private final java.util.Set<Long> orphans = new java.util.LinkedHashSet<>();
  private static final int MAX_ORPHANS = 64;

  public EtcdSession(CoordinationConfig.EtcdConfig config) {
    this.endpoints = List.copyOf(config.endpoints());
    this.namespace = stripTrailingSlash(config.namespace());
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "salve-coord");
              t.setDaemon(true);
              return t;
            });
    ClientBuilder builder =
        Client.builder()
            .endpoints(endpoints.stream().map(URI::create).toList())
            .connectTimeout(Duration.ofSeconds(2))
            // HTTP/2 pings find a dead connection (peer gone without a FIN) sooner than the OS would.
            .keepaliveTime(Duration.ofSeconds(10))
            .keepaliveTimeout(Duration.ofSeconds(3));
    if (endpoints.stream().anyMatch(e -> e.regionMatches(true, 0, "https:", 0, 6))) {
      // jetcd would otherwise speak plaintext to an https:// URL: TLS with the JVM's trust store.
      try {
        builder.sslContext(ssl -> {});
      } catch (SSLException e) {
        throw new IllegalStateException("coordination: cannot set up TLS to etcd: " + e.getMessage(), e);
      }
    }
    this.client = builder.build();
    this.reconnect = new ChannelBackoffReset(client);
    // gRPC logs through java.util.logging to stderr; salve logs etcd trouble itself.
    grpcLog.setLevel(java.util.logging.Level.WARNING);
  }

  private static String stripTrailingSlash(String ns) {
    return ns.length() > 1 && ns.endsWith("/") ? ns.substring(0, ns.length() - 1) : ns;
  }

  /** Starts the connectivity checks. */
  public void start() {
    LOG.info("coordination: etcd at {}, keys under {}", String.join(",", endpoints), namespace);
    executor.execute(this::check);
  }

  /** @return the jetcd client; use it only through {@link #call} or with your own time bound. */
  public Client client() {
    return client;
  }

  /**
   * @return the coordination thread. Every coordination component keeps its state on it: hop here
   *     (for example with {@code whenCompleteAsync(..., session.executor())}) before touching state.
   */
  public ScheduledExecutorService executor() {
    return executor;
  }

  /** @return the configured namespace without a trailing slash, e.g. {@code /salve}. */
  public String namespace() {
    return namespace;
  }

  /** @return {@code namespace + "/" + relative}, e.g. {@code key("elections/x")} is {@code /salve/elections/x}. */
  public String keyString(String relative) {
    return namespace + "/" + relative;
  }

  /** @return {@link #keyString} as a jetcd key. */
  public ByteSequence key(String relative) {
    return bytes(keyString(relative));
  }

  /** @return UTF-8 bytes as a jetcd value. */
  public static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }

  /** @return whether etcd answered the last check or call. */
  public boolean isUp() {
    return up;
  }

  /** @return the last failure seen, or null. */
  public String lastError() {
    return lastError;
  }

  public void addListener(ConnectivityListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Runs one etcd call with a time bound and completes on the coordination thread. A success marks
   * etcd up; a timeout marks it down. Other failures (an answer from etcd such as "lease not found")
   * are passed on unchanged.
   *
   * @param what a short description for the log
   * @param op starts the call (on the coordination thread)
   */
  public <T> CompletableFuture<T> call(String what, Supplier<CompletableFuture<T>> op, Duration timeout) {
    CompletableFuture<T> result = new CompletableFuture<>();
    CompletableFuture<T> started;
    try {
      started = op.get();
    } catch (RuntimeException e) {
      started = CompletableFuture.failedFuture(e);
    }
    started
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenCompleteAsync(
            (value, error) -> {
              if (error == null) {
                reportSuccess();
                result.complete(value);
              } else {
                Throwable cause = unwrap(error);
                if (cause instanceof TimeoutException) {
                  reportFailure(what + ": no answer within " + timeout.toMillis() + "ms");
                }
                result.completeExceptionally(cause);
              }
            },
            executor);
    return result;
  }

  /** @return {@link #call} with {@link #CALL_TIMEOUT}. */
  public <T> CompletableFuture<T> call(String what, Supplier<CompletableFuture<T>> op) {
    return call(what, op, CALL_TIMEOUT);
  }

  /** @return the cause inside a {@link CompletionException}. */
  public static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** Records that etcd answered. Call on the coordination thread. */
  public void reportSuccess() {
    if (!up) {
      up = true;
      LOG.info("coordination: etcd reachable at {}", String.join(",", endpoints));
      everUp = true;
      listeners.forEach(l -> l.onEtcdConnectivity(true));
      revokeOrphans();
    }
  }

  /**
   * Remembers a lease that could not be revoked because etcd did not answer, to revoke it when etcd
   * answers again (a restarted etcd restores every lease with a fresh ttl). Coordination thread.
   */
  public void revokeLater(long leaseId) {
    if (orphans.size() < MAX_ORPHANS) {
      orphans.add(leaseId);
    }
  }

  private void revokeOrphans() {
    for (Long id : List.copyOf(orphans)) {
      call("lease revoke", () -> client.getLeaseClient().revoke(id))
          .whenComplete((r, e) -> {
            if (e == null || KeptLease.gone(e)) {
              orphans.remove(id);
            }
          });
    }
  }

  /** Records that etcd did not answer. Call on the coordination thread. */
  public void reportFailure(String error) {
    lastError = error;
    long now = System.nanoTime();
    if (up || lastRemindNanos == 0 || now - lastRemindNanos > REMIND_NANOS) {
      lastRemindNanos = now;
      LOG.warn(
          "coordination: etcd {} ({}): {}; salve keeps serving traffic and retries with backoff",
          everUp ? "unreachable" : "not reachable yet",
          String.join(",", endpoints),
          error);
    }
    if (up) {
      up = false;
      listeners.forEach(l -> l.onEtcdConnectivity(false));
    }
  }

  private void check() {
    if (closed) {
      return;
    }
    call("connectivity check",
            () -> client.getKVClient().get(key("salve-connectivity-check"), GetOption.builder().withCountOnly(true).build()))
        .whenComplete(
            (ok, error) -> {
              if (error != null) {
                if (!(error instanceof TimeoutException)) {
                  reportFailure(describe(error));
                }
                reconnect.reset();
              }
              Duration delay = error == null ? backoff.afterSuccess() : backoff.afterFailure();
              if (!closed) {
                executor.schedule(this::check, delay.toMillis(), TimeUnit.MILLISECONDS);
              }
            });
  }

  /** @return a one-line description of an etcd failure, without a stack trace. */
  public static String describe(Throwable error) {
    Throwable t = unwrap(error);
    String msg = t.getMessage();
    return t.getClass().getSimpleName() + (msg == null ? "" : ": " + msg.lines().findFirst().orElse(""));
  }

  /** @return the etcd part of {@code /admin/state}. */
  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("endpoints", endpoints);
    m.put("namespace", namespace);
    m.put("up", up);
    m.put("lastError", lastError);
    return m;
  }

  /**
   * Stops the checks and closes the client. Components must have finished their own shutdown calls
   * (resign, revoke) first; see {@link #executor()}.
   */
  @Override
  public void close() {
    closed = true;
    executor.shutdownNow();
    client.close();
  }
}
