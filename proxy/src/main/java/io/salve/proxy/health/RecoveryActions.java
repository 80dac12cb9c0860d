package io.salve.proxy.health;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.salve.config.RecoveryConfig;
import io.salve.proxy.upstream.Endpoint;
import io.salve.proxy.upstream.Upstream;
import io.salve.proxy.util.Ticker;
import io.salve.proxy.util.WebhookClients;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovery of the local application: when every endpoint of an upstream with {@code recovery} has
 * been unhealthy for {@code recovery.after} ({@link RecoveryPolicy}), POST a JSON description to
 * {@code recovery.webhook}, at most once per {@code after}.
 *
 * <p>Attached to the {@link HealthChecker} as a listener, so it is evaluated after every probe of
 * the upstream, on an event loop. The webhook call itself never runs there: it is handed to a
 * dedicated thread, which starts an asynchronous {@link HttpClient} exchange with a short timeout.
 */
public final class RecoveryActions implements HealthChecker.Listener, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RecoveryActions.class);
  private static final Duration MAX_TIMEOUT = Duration.ofSeconds(2);

  /** Observes the outcome of each recovery action. Called on the webhook thread. */
  public interface Listener {
    void onAction(String upstream, boolean success);
  }

  private record Policy(RecoveryConfig config, RecoveryPolicy policy) {}

  private final Map<String, Policy> policies = new ConcurrentHashMap<>();
  private final Ticker ticker;
  private final Clock clock;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final ObjectMapper json = new ObjectMapper();
  private final ExecutorService executor;
  private final HttpClient client;

  /**
   * @param configs the recovery configuration of each upstream that has one
   * @param ticker the clock the policy measures with
   * @param clock the wall clock used only to report {@code unhealthySince}
   */
  public RecoveryActions(Map<String, RecoveryConfig> configs, Ticker ticker, Clock clock) {
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.clock = Objects.requireNonNull(clock, "clock");
    configs.forEach((name, c) -> policies.put(name, new Policy(c, RecoveryPolicy.from(c, ticker))));
    this.executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "salve-recovery");
              t.setDaemon(true);
              return t;
            });
    this.client = WebhookClients.create(executor, MAX_TIMEOUT);
  }

  public void addListener(Listener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** @return the policy of {@code upstream}, or null when it has no {@code recovery}. */
  public RecoveryPolicy policy(String upstream) {
    Policy p = policies.get(upstream);
    return p == null ? null : p.policy();
  }

  @Override
  public void onUpstreamProbed(Upstream upstream) {
    Policy p = policies.get(upstream.name());
    if (p == null) {
      return;
    }
    List<Endpoint> endpoints = upstream.endpoints();
    boolean allUnhealthy = !endpoints.isEmpty() && upstream.healthyCount() == 0;
    if (p.policy().evaluate(allUnhealthy)) {
      fire(upstream, endpoints, p);
    }
  }

  private void fire(Upstream upstream, List<Endpoint> endpoints, Policy p) {
    long since = p.policy().unhealthySinceNanos();
    Instant unhealthySince =
        clock.instant().minusNanos(Math.max(0L, ticker.nanos() - since)).truncatedTo(ChronoUnit.MILLIS);
    Map<String, Integer> failures = new LinkedHashMap<>();
    for (Endpoint e : endpoints) {
      failures.put(e.key(), e.health() == null ? 0 : e.health().consecutiveFailures());
    }
    byte[] body;
    try {
      body = json.writeValueAsBytes(payload(upstream.name(), unhealthySince, failures));
    } catch (JsonProcessingException e) {
      LOG.warn("recovery webhook body for upstream {} could not be written", upstream.name(), e);
      report(upstream.name(), false);
      return;
    }
    URI webhook = p.config().webhook();
    Duration timeout = timeout(p.config().after());
    LOG.warn(
        "upstream {}: every endpoint unhealthy since {}; calling recovery webhook {}",
        upstream.name(),
        unhealthySince,
        redact(webhook));
    HttpRequest request =
        HttpRequest.newBuilder(webhook)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("User-Agent", "salve-recovery")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    try {
      // Even starting the exchange may resolve names: keep it off the event loop.
      executor.execute(() -> send(upstream.name(), webhook, request));
    } catch (RejectedExecutionException e) {
      LOG.info("recovery webhook for upstream {} skipped: shutting down", upstream.name());
    }
  }

  private void send(String upstream, URI webhook, HttpRequest request) {
    client
        .sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .whenComplete(
            (response, error) -> {
              if (error != null) {
                LOG.warn("recovery webhook {} for upstream {} failed: {}", redact(webhook), upstream, error.toString());
                report(upstream, false);
              } else if (response.statusCode() / 100 != 2) {
                LOG.warn(
                    "recovery webhook {} for upstream {} answered {}", redact(webhook), upstream, response.statusCode());
                report(upstream, false);
              } else {
                LOG.info(
                    "recovery webhook {} for upstream {} answered {}", redact(webhook), upstream, response.statusCode());
                report(upstream, true);
              }
            });
  }

  private void report(String upstream, boolean success) {
    for (Listener l : listeners) {
      try {
        l.onAction(upstream, success);
      } catch (RuntimeException e) {
        LOG.warn("recovery listener {} failed", l, e);
      }
    }
  }

  /** @return the webhook timeout: {@code after}, but at most 2s, so calls never pile up. */
  static Duration timeout(Duration after) {
    return after.compareTo(MAX_TIMEOUT) < 0 ? after : MAX_TIMEOUT;
  }

  /**
   * @return the webhook's JSON body: {@code upstream}, {@code unhealthySince} (ISO-8601 UTC, in
   *     milliseconds) and {@code endpoints}, each with {@code endpoint} and {@code
   *     consecutiveFailures}
   */
  static Map<String, Object> payload(String upstream, Instant unhealthySince, Map<String, Integer> failures) {
    List<Map<String, Object>> endpoints = new ArrayList<>();
    failures.forEach(
        (endpoint, n) -> {
          Map<String, Object> e = new LinkedHashMap<>();
          e.put("endpoint", endpoint);
          e.put("consecutiveFailures", n);
          endpoints.add(e);
        });
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("upstream", upstream);
    body.put("unhealthySince", unhealthySince.truncatedTo(ChronoUnit.MILLIS).toString());
    body.put("endpoints", endpoints);
    return body;
  }

  /** @return the URL without user info or query, for logs. */
  static String redact(URI uri) {
    return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
        + (uri.getRawPath() == null ? "" : uri.getRawPath());
  }

  @Override
  public void close() {
    executor.shutdownNow();
    try {
      executor.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
