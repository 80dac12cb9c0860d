package io.salve.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StandardRoutesTest {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicReference<Optional<String>> notReady = new AtomicReference<>(Optional.empty());
  private final EmbeddedChannel probes =
      new EmbeddedChannel(new AdminHandler(StandardRoutes.probes(registry::scrape, notReady::get)));

  @AfterEach
  void close() {
    probes.finishAndReleaseAll();
    registry.close();
  }

  private record Answer(int status, String body) {}

  private Answer ask(HttpMethod method, String uri) {
    probes.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, Unpooled.EMPTY_BUFFER));
    FullHttpResponse r = probes.readOutbound();
    try {
      return new Answer(r.status().code(), r.content().toString(StandardCharsets.UTF_8));
    } finally {
      r.release();
    }
  }

  @Test
  void theProbeSubset_servesLiveReadyAndMetrics() {
    registry.counter("salve.test").increment();

    assertThat(ask(HttpMethod.GET, "/live")).isEqualTo(new Answer(200, "{\"status\":\"live\"}\n"));
    assertThat(ask(HttpMethod.GET, "/ready")).isEqualTo(new Answer(200, "{\"status\":\"ready\"}\n"));
    notReady.set(Optional.of("draining"));
    assertThat(ask(HttpMethod.GET, "/ready"))
        .isEqualTo(new Answer(503, "{\"status\":\"not_ready\",\"reason\":\"draining\"}\n"));
    Answer metrics = ask(HttpMethod.GET, "/metrics?name=x");
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.body()).contains("salve_test_total 1.0");
  }

  @Test
  void theProbeSubset_answersEveryOtherPathWithNotFound() {
    for (String path : List.of("/admin/state", "/admin/config", "/admin/load-state", "/admin/upstreams/a/endpoints/h:1", "/")) {
      for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.PUT, HttpMethod.POST, HttpMethod.DELETE)) {
        Answer a = ask(method, path);
        assertThat(a.status()).as(method + " " + path).isEqualTo(404);
        assertThat(a.body()).as(method + " " + path).contains("\"error\" : \"not_found\"");
      }
    }
    assertThat(ask(HttpMethod.POST, "/metrics").status()).isEqualTo(405);
  }

  @Test
  void theFullList_startsWithTheProbeSubset() {
    List<AdminRoute> all = StandardRoutes.of(null, registry::scrape, notReady::get, java.util.Map::of);
    assertThat(all).hasSize(5);
    assertThat(all.get(3).matches(HttpMethod.GET, "/admin/config")).isTrue();
    assertThat(all.get(4).matches(HttpMethod.GET, "/admin/state")).isTrue();
    for (String path : List.of("/live", "/ready", "/metrics")) {
      assertThat(all.subList(0, 3)).anySatisfy(r -> assertThat(r.matches(HttpMethod.GET, path)).isTrue());
    }
  }
}
