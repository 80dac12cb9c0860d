package io.salve.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HTTP/1.1 client for one listener of a {@link SalveProcess}, plus readers of its admin API:
 * {@code /admin/state} as JSON and single samples of {@code /metrics}. Every call is bounded by a
 * timeout, so a hung proxy fails the test instead of stalling the build.
 */
public final class SalveHttp {
  private static final Duration TIMEOUT = Duration.ofSeconds(15);
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)\\})?\\s+(\\S+)");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient client = Http.newClient();
  private final String base;
  private final String admin;

  public SalveHttp(SalveProcess salve, String listener) {
    this.base = "http://127.0.0.1:" + salve.port(listener);
    this.admin = "http://127.0.0.1:" + salve.adminPort();
  }

  /** @return a request builder for {@code path} on the listener, with the standard timeout. */
  public HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT);
  }

  public HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return send(request(path).GET());
  }

  public HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  public CompletableFuture<HttpResponse<String>> sendAsync(HttpRequest.Builder request) {
    return client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** @return {@code GET /admin/state}, parsed. */
  public JsonNode state() throws IOException, InterruptedException {
    HttpResponse<String> r = adminGet("/admin/state");
    assertThat(r.statusCode()).as("GET /admin/state").isEqualTo(200);
    return JSON.readTree(r.body());
  }

  /** @return the state document of one upstream. */
  public JsonNode upstreamState(String upstream) throws IOException, InterruptedException {
    JsonNode u = state().path("upstreams").path(upstream);
    assertThat(u.isMissingNode()).as("upstream " + upstream + " in /admin/state").isFalse();
    return u;
  }

  /** @return the state document of one endpoint ({@code host:port}) of an upstream. */
  public JsonNode endpointState(String upstream, String endpoint) throws IOException, InterruptedException {
    for (JsonNode e : upstreamState(upstream).path("endpoints")) {
      if (endpoint.equals(e.path("address").asText())) {
        return e;
      }
    }
    throw new AssertionError("endpoint " + endpoint + " not in /admin/state of upstream " + upstream);
  }

  /**
   * @param name the Prometheus sample name, e.g. {@code salve_rejected_total}
   * @param labels labels the sample must carry (others are ignored)
   * @return the value of the one sample that matches, or empty when none does
   */
  public OptionalDouble metric(String name, Map<String, String> labels) throws IOException, InterruptedException {
    HttpResponse<String> r = adminGet("/metrics");
    assertThat(r.statusCode()).as("GET /metrics").isEqualTo(200);
    OptionalDouble found = OptionalDouble.empty();
    for (String line : r.body().split("\n")) {
      Matcher m = SAMPLE.matcher(line);
      if (line.startsWith("#") || !m.find() || !m.group(1).equals(name)) {
        continue;
      }
      Map<String, String> have = new HashMap<>();
      if (m.group(3) != null) {
        Matcher l = LABEL.matcher(m.group(3));
        while (l.find()) {
          have.put(l.group(1), l.group(2));
        }
      }
      if (have.entrySet().containsAll(labels.entrySet())) {
        assertThat(found).as("more than one sample of " + name + labels).isEmpty();
        found = OptionalDouble.of(Double.parseDouble(m.group(4)));
      }
    }
    return found;
  }

  /** @return the sample's value, 0 when the meter does not exist yet (counters appear on first use). */
  public double counter(String name, Map<String, String> labels) throws IOException, InterruptedException {
    return metric(name, labels).orElse(0.0);
  }

  private HttpResponse<String> adminGet(String path) throws IOException, InterruptedException {
    return client.send(
        HttpRequest.newBuilder(URI.create(admin + path)).timeout(TIMEOUT).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
