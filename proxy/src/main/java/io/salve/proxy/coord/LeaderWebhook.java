package io.salve.proxy.coord;

import io.salve.proxy.util.WebhookClients;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code leaderElection.webhook}: POSTs the {@link LeaderView} JSON on every change, one at a time
 * and in order, each bounded by a timeout. A failure is logged, never fatal, and not retried (the
 * next change, or {@code GET /leader}, carries the state). If the webhook is slower than the changes,
 * at most {@value #MAX_QUEUED} wait; older ones are dropped with a warning.
 */
final class LeaderWebhook {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderWebhook.class);
  static final int MAX_QUEUED = 16;
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final URI uri;
  private final HttpClient client;
  private final Deque<LeaderView> queue = new ArrayDeque<>();
  private boolean sending;

  /** @param executor runs the client's callbacks (the coordination thread) */
  LeaderWebhook(URI uri, Executor executor) {
    this.uri = uri;
    this.client = WebhookClients.create(executor, TIMEOUT);
  }

  /** Queues a POST of {@code view}. */
  synchronized void post(LeaderView view) {
    if (queue.size() == MAX_QUEUED) {
      LeaderView dropped = queue.removeFirst();
      LOG.warn("leader webhook {} is behind: dropped the change of {}", redacted(), dropped.since());
    }
    queue.addLast(view);
    if (!sending) {
      sendNext();
    }
  }

  private synchronized void sendNext() {
    LeaderView next = queue.pollFirst();
    if (next == null) {
      sending = false;
      return;
    }
    sending = true;
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(TIMEOUT)
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(next.toJson()))
            .build();
    client
        .sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .whenComplete(
            (response, error) -> {
              if (error != null) {
                LOG.warn("leader webhook {} failed: {}", redacted(), EtcdSession.describe(error));
              } else if (response.statusCode() >= 300) {
                LOG.warn("leader webhook {} answered {}", redacted(), response.statusCode());
              }
              sendNext();
            });
  }

  /** @return the URL without user info or query, which may hold secrets. */
  private String redacted() {
    return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + uri.getPath();
  }
}
