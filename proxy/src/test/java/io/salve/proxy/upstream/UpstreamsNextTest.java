package io.salve.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.salve.config.ConfigLoader;
import io.salve.config.SalveConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A reload's next generation keeps the running object of every upstream whose definition is unchanged. */
class UpstreamsNextTest {
  private static final String YAML = """
      listeners:
        - name: egress
          address: 127.0.0.1:15001
          routes: [{ upstream: kept }, { upstream: changed }, { upstream: removed }]
      upstreams:
        kept: { endpoints: [127.0.0.1:8080], circuitBreaker: { failureThreshold: 3 } }
        changed: { endpoints: [127.0.0.1:8081] }
        removed: { endpoints: [127.0.0.1:8082] }
      """;

  private static SalveConfig parse(String yaml) throws Exception {
    return new ConfigLoader(Map.of()).parse(yaml, "salve.yaml");
  }

  @Test
  void keepsUnchanged_replacesChanged_dropsRemoved_addsNew() throws Exception {
    try (Upstreams running = new Upstreams(parse(YAML), 2)) {
      Upstreams next =
          running.next(parse(YAML.replace("[127.0.0.1:8081]", "[127.0.0.1:9091]")
              .replace("{ upstream: removed }", "{ upstream: added }")
              .replace("removed: { endpoints: [127.0.0.1:8082] }", "added: { endpoints: [127.0.0.1:8083] }")));
      assertThat(next.get("kept")).isSameAs(running.get("kept"));
      assertThat(next.get("kept").breaker()).isSameAs(running.get("kept").breaker());
      assertThat(next.get("kept").endpoints()).isSameAs(running.get("kept").endpoints());
      assertThat(next.get("changed")).isNotSameAs(running.get("changed"));
      assertThat(next.get("changed").endpoints().get(0).key()).isEqualTo("127.0.0.1:9091");
      assertThat(next.get("removed")).isNull();
      assertThat(next.get("added")).isNotNull();
      assertThat(next.resolver()).isSameAs(running.resolver());
      assertThat(next.all()).extracting(Upstream::name).containsExactly("kept", "changed", "added");
    }
  }
}
