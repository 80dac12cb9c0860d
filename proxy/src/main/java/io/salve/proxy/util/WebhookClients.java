package io.salve.proxy.util;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.Executor;

/** The HTTP client salve's webhooks (recovery, leader changes) POST with. */
public final class WebhookClients {
  private WebhookClients() {}

  /**
   * @param executor runs the client's callbacks, so they land on the caller's own thread
   * @param connectTimeout how long a connection to the webhook may take
   * @return an HTTP/1.1 client that never follows redirects: a webhook answers where it was configured
   */
  public static HttpClient create(Executor executor, Duration connectTimeout) {
    return HttpClient.newBuilder()
        .executor(executor)
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }
}
