package io.salve.proxy.reload;

import static org.assertj.core.api.Assertions.assertThat;

import io.salve.config.ConfigLoader;
import io.salve.config.SalveConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigDiffTest {
  private static final String BASE = """
      listeners:
        - name: egress
          address: 127.0.0.1:15001
          routes: [{ upstream: a }]
        - name: ingress
          address: 127.0.0.1:15006
          routes: [{ upstream: b }]
      upstreams:
        a: { endpoints: [127.0.0.1:8080] }
        b: { endpoints: [127.0.0.1:8081] }
      """;

  private static SalveConfig parse(String yaml) throws Exception {
    return new ConfigLoader(Map.of()).parse(yaml, "salve.yaml");
  }

  @Test
  void sameConfiguration_isEmpty() throws Exception {
    ConfigDiff diff = ConfigDiff.between(parse(BASE), parse(BASE));
    assertThat(diff.isEmpty()).isTrue();
    assertThat(diff.blockers()).isEmpty();
    assertThat(diff.restartOnly()).isEmpty();
    assertThat(diff.summary()).isEqualTo("routes and settings only");
  }

  @Test
  void sameTrustedProxies_areUnchanged() throws Exception {
    String trusted = BASE.replace("address: 127.0.0.1:15001", "address: 127.0.0.1:15001\n    trustedProxies: [10.0.0.0/8]");
    assertThat(ConfigDiff.between(parse(trusted), parse(trusted)).isEmpty()).isTrue();
    assertThat(ConfigDiff.between(parse(trusted), parse(trusted.replace("10.0.0.0/8", "10.0.0.0/16"))).isEmpty())
        .isFalse();
  }

  @Test
  void upstreams_addedChangedRemoved() throws Exception {
    SalveConfig next = parse(BASE.replace("[127.0.0.1:8081]", "[127.0.0.1:9091]")
        .replace("upstream: a }", "upstream: c }")
        .replace("  a: { endpoints: [127.0.0.1:8080] }", "  c: { endpoints: [127.0.0.1:8082] }"));
    ConfigDiff diff = ConfigDiff.between(parse(BASE), next);
    assertThat(diff.upstreamsAdded()).containsExactly("c");
    assertThat(diff.upstreamsChanged()).containsExactly("b");
    assertThat(diff.upstreamsRemoved()).containsExactly("a");
    assertThat(diff.isEmpty()).isFalse();
    assertThat(diff.blockers()).isEmpty();
    assertThat(diff.summary()).isEqualTo("upstreams added: c; upstreams changed: b; upstreams removed: a");
  }

  @Test
  void aProtocolChange_isAChangedUpstream_whosePoolsAreReplaced() throws Exception {
    SalveConfig next = parse(BASE.replace("b: { endpoints: [127.0.0.1:8081] }", "b: { endpoints: [127.0.0.1:8081], protocol: h2c }"));
    ConfigDiff diff = ConfigDiff.between(parse(BASE), next);
    assertThat(diff.upstreamsChanged()).containsExactly("b");
    assertThat(diff.blockers()).isEmpty();
  }

  @Test
  void listeners_addedMovedRemoved() throws Exception {
    SalveConfig next = parse(BASE.replace("15001", "15002").replace("name: ingress", "name: inbound"));
    ConfigDiff diff = ConfigDiff.between(parse(BASE), next);
    assertThat(diff.listenersMoved()).containsExactly("egress");
    assertThat(diff.listenersAdded()).containsExactly("inbound");
    assertThat(diff.listenersRemoved()).containsExactly("ingress");
    assertThat(diff.upstreamsChanged()).isEmpty();
  }

  @Test
  void restartOnlySections_keepTheirRunningValue_andAreNamed() throws Exception {
    SalveConfig running = parse(BASE);
    SalveConfig next = parse(BASE + """
        admin: { address: 127.0.0.1:9999 }
        accessLog: { enabled: false }
        loadShedding: { interval: 2s }
        drainTimeout: 3s
        reload: { watch: false }
        """);
    ConfigDiff diff = ConfigDiff.between(running, next);
    assertThat(diff.restartOnly()).containsExactly("admin", "loadShedding", "accessLog");
    SalveConfig effective = diff.effective();
    assertThat(effective.admin()).isEqualTo(running.admin());
    assertThat(effective.accessLog()).isEqualTo(running.accessLog());
    assertThat(effective.loadShedding()).isEqualTo(running.loadShedding());
    assertThat(effective.drainTimeout()).isEqualTo(next.drainTimeout());
    assertThat(effective.reload().watch()).isFalse();
    assertThat(diff.isEmpty()).isFalse();
  }

  @Test
  void onlyRestartOnlyChanges_leaveNothingToApply() throws Exception {
    ConfigDiff diff = ConfigDiff.between(parse(BASE), parse(BASE + "accessLog: { enabled: false }\n"));
    assertThat(diff.restartOnly()).containsExactly("accessLog");
    assertThat(diff.isEmpty()).isTrue();
  }

  @Test
  void newListenerUnderAdaptiveConcurrency_isNamedAsRestartOnly() throws Exception {
    String shedding = "loadShedding: { adaptiveConcurrency: { enabled: true } }\n";
    ConfigDiff diff = ConfigDiff.between(parse(BASE + shedding),
        parse(BASE.replace("name: ingress", "name: inbound") + shedding));
    assertThat(diff.restartOnly()).containsExactly("loadShedding.adaptiveConcurrency for the new listener 'inbound'");
  }

  @Test
  void leasedUpstreams_cannotBeAddedChangedOrRemoved() throws Exception {
    String leased = BASE.replace("b: { endpoints: [127.0.0.1:8081] }", "b: { endpoints: [127.0.0.1:8081], leases: { ttl: 30s } }");
    assertThat(ConfigDiff.between(parse(BASE), parse(leased)).blockers())
        .containsExactly("upstream 'b' takes its endpoints from leases; adding or changing it needs a restart");
    assertThat(ConfigDiff.between(parse(leased), parse(leased.replace("8081]", "8081, 127.0.0.1:8083]"))).blockers())
        .containsExactly("upstream 'b' takes its endpoints from leases; adding or changing it needs a restart");
    assertThat(ConfigDiff.between(parse(leased), parse(leased.replace("8080]", "8090]"))).blockers())
        .as("another upstream may change").isEmpty();
  }

  @Test
  void keptAdminSection_mustNotLoseItsReadinessUpstream() throws Exception {
    SalveConfig running = parse(BASE + "admin: { readyWhenHealthy: [b] }\n");
    SalveConfig next = parse(BASE.replace("upstream: b }", "upstream: a }").replace("  b: { endpoints: [127.0.0.1:8081] }\n", ""));
    assertThat(ConfigDiff.between(running, next).blockers())
        .containsExactly("upstream 'b' is removed, but the running admin or coordination section"
            + " (which only a restart changes) refers to it");
  }
}
