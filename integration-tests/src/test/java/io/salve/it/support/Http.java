package io.salve.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Small blocking HTTP helpers for tests (test threads only), plus JSON and Prometheus reading. */
public final class Http {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  private Http() {}

  /** @return a new HTTP/1.1 client with a 5 s connect timeout, for a test that keeps its own. */
  public static HttpClient newClient() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  }

  public static HttpResponse<String> send(String method, int port, String pathAndQuery) {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
            .timeout(Duration.ofSeconds(5))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build();
    try {
      return CLIENT.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static HttpResponse<String> get(int port, String path) {
    return send("GET", port, path);
  }

  public static JsonNode json(HttpResponse<String> r) {
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + r.body(), e);
    }
  }

  /** @return the admin state's entry of one endpoint, or null when the upstream does not list it. */
  public static JsonNode endpointState(int adminPort, String upstream, String endpoint) {
    for (JsonNode e : json(get(adminPort, "/admin/state")).path("upstreams").path(upstream).path("endpoints")) {
      if (endpoint.equals(e.path("address").asText())) {
        return e;
      }
    }
    return null;
  }

  /**
   * @return the value of the Prometheus sample {@code name} whose labels include every {@code
   *     label="value"} given (as {@code label=value} pairs), or null when there is none
   */
  public static Double metric(int adminPort, String name, String... labels) {
    String text = get(adminPort, "/metrics").body();
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$").matcher(text);
    while (m.find()) {
      boolean all = true;
      for (String l : labels) {
        int eq = l.indexOf('=');
        all &= m.group(1).contains(l.substring(0, eq) + "=\"" + l.substring(eq + 1) + "\"");
      }
      if (all) {
        return Double.parseDouble(m.group(2));
      }
    }
    return null;
  }
}
