package io.salve.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.salve.it.support.TestPki;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The Helm chart in helm/salve, linted and rendered with Helm itself (helm-java, no helm binary): the
 * default values and the two files in helm/salve/ci. Assertions are on the parsed manifests, and every
 * rendered salve configuration must pass the real jar's --check-config.
 */
class HelmChartIT {
  private static final Path CHART = Paths.get(System.getProperty("salve.chart", "../helm/salve"));
  private static final Path JAR = Paths.get(System.getProperty("salve.jar", "../proxy/target/salve.jar"));

  @TempDir Path tmp;

  @Test
  void lintsCleanInStrictMode() {
    LintResult lint = new Helm(CHART).lint().strict().call();

    assertThat(lint.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
  }

  @Test
  void defaultValuesDeployTheExampleAppWithTheSidecar() throws Exception {
    Manifests m = render(null);

    Map<String, Object> pod = m.podSpec("rel-salve");
    Map<String, Object> salve = container(pod, "salve");
    assertThat(salve.get("image")).isEqualTo("salve:0.1.0");
    assertThat(salve).doesNotContainKey("restartPolicy");
    assertThat(pod).doesNotContainKey("initContainers");
    assertThat(ports(salve)).containsEntry("salve-ingress", 15000).containsEntry("salve-probes", 15021);
    assertProbesOnTheProbePort(salve);
    assertLockedDown(salve);
    assertThat(at(salve, "lifecycle", "preStop", "exec", "command")).isEqualTo(List.of("sleep", "5"));
    // preStop delay 5 + drainTimeout 15s + margin 5.
    assertThat(pod.get("terminationGracePeriodSeconds")).isEqualTo(25);
    assertThat(container(pod, "app").get("image")).isEqualTo("nginxinc/nginx-unprivileged:1.27-alpine");
    assertThat(at(container(pod, "app"), "readinessProbe", "httpGet")).isEqualTo(Map.of("path", "/", "port", "app"));

    String config = m.configYaml("rel-salve-config");
    assertThat(yaml(config))
        .isEqualTo(
            yaml(
                """
                admin:
                  address: 127.0.0.1:9901
                  probes: { address: 0.0.0.0:15021 }
                  readyWhenHealthy: [app]
                drainTimeout: 15s
                listeners:
                  - name: ingress
                    address: 0.0.0.0:15000
                    routes:
                      - { name: default, match: { pathPrefix: / }, upstream: app }
                upstreams:
                  app:
                    endpoints: [127.0.0.1:8080]
                    healthCheck: { path: /, interval: 5s }
                """));
    assertPassesCheckConfig(config);
    assertThat(m.podAnnotations("rel-salve"))
        .containsEntry("prometheus.io/scrape", "true")
        .containsEntry("prometheus.io/port", "15021")
        .containsEntry("prometheus.io/path", "/metrics")
        .containsEntry("checksum/config", sha256(config.stripTrailing()));

    Map<String, Object> service = m.get("Service", "rel-salve");
    assertThat(at(service, "spec", "ports")).asList().hasSize(1);
    assertThat(at(service, "spec", "ports", 0, "targetPort")).isEqualTo("salve-ingress");
    assertThat(m.kinds()).containsExactlyInAnyOrder("ConfigMap", "Service", "Deployment");
  }

  @Test
  void directInboundWithServiceMonitorAndOwnPorts() throws Exception {
    Path valuesFile = CHART.resolve("ci/direct-inbound-values.yaml");
    Manifests m = render(valuesFile);

    Map<String, Object> pod = m.podSpec("rel-salve");
    Map<String, Object> salve = container(pod, "salve");
    assertThat(salve.get("image")).isEqualTo("registry.example/salve:1.2.3");
    assertThat(ports(salve)).containsEntry("salve-ingress", 16000).containsEntry("salve-probes", 16021);
    assertProbesOnTheProbePort(salve);
    assertLockedDown(salve);
    assertThat(env(salve)).containsEntry("SALVE_JVM_EXTRA", "-Dsalve.eventLoops=2");
    // preStop delay 10 + drainTimeout 30s + margin 5.
    assertThat(at(salve, "lifecycle", "preStop", "exec", "command")).isEqualTo(List.of("sleep", "10"));
    assertThat(pod.get("terminationGracePeriodSeconds")).isEqualTo(45);

    String config = m.configYaml("rel-salve-config");
    assertThat(yaml(config)).isEqualTo(at(yaml(Files.readString(valuesFile)), "salve", "config"));
    assertPassesCheckConfig(config);
    assertThat(m.podAnnotations("rel-salve"))
        .containsEntry("prometheus.io/port", "16021")
        .doesNotContainKey("checksum/config")
        .containsEntry("example.com/team", "payments");

    Map<String, Object> service = m.get("Service", "rel-salve");
    assertThat(at(service, "spec", "ports", 0, "targetPort")).isEqualTo("app");
    assertThat(at(service, "spec", "ports", 1, "name")).isEqualTo("salve-metrics");
    assertThat(at(service, "spec", "ports", 1, "targetPort")).isEqualTo("salve-probes");
    Map<String, Object> monitor = m.get("ServiceMonitor", "rel-salve");
    assertThat(at(monitor, "spec", "endpoints", 0, "port")).isEqualTo("salve-metrics");
    assertThat(at(monitor, "spec", "endpoints", 0, "path")).isEqualTo("/metrics");
    assertThat(at(monitor, "metadata", "labels", "release")).isEqualTo("prometheus");
  }

  @Test
  void templateOnlyRendersJustTheConfigMap() throws Exception {
    Path valuesFile = CHART.resolve("ci/template-only-values.yaml");
    Manifests m = render(valuesFile);

    assertThat(m.kinds()).containsExactly("ConfigMap");
    String config = m.configYaml("rel-salve-config");
    assertThat(yaml(config)).isEqualTo(at(yaml(Files.readString(valuesFile)), "salve", "config"));
    assertPassesCheckConfig(config);
  }

  @Test
  void aUsersChartIncludesTheSidecarTemplates() throws Exception {
    Path shop = tmp.resolve("shop");
    Path source = Paths.get(HelmChartIT.class.getResource("/helm/shop").toURI());
    for (Path file : List.of(Paths.get("Chart.yaml"), Paths.get("values.yaml"), Paths.get("templates", "deployment.yaml"))) {
      Files.createDirectories(shop.resolve(file).getParent());
      Files.writeString(
          shop.resolve(file),
          Files.readString(source.resolve(file)).replace("SALVE_CHART", CHART.toAbsolutePath().normalize().toString()));
    }
    new Helm(shop).dependency().update().call();
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object doc : new Yaml().loadAll(new Helm(shop).template().withName("shop").call())) {
      docs.add(cast(doc));
    }
    Manifests m = new Manifests(docs);

    assertThat(m.kinds()).containsExactlyInAnyOrder("ConfigMap", "Deployment");
    Map<String, Object> pod = m.podSpec("shop");
    assertThat(container(pod, "shop").get("image")).isEqualTo("shop:1");
    Map<String, Object> salve = container(pod, "salve");
    assertThat(salve.get("image")).isEqualTo("registry.example/salve:0.1.0");
    assertProbesOnTheProbePort(salve);
    assertLockedDown(salve);
    List<Map<String, Object>> volumes = cast(pod.get("volumes"));
    assertThat(volumes).anySatisfy(v -> assertThat(at(v, "configMap", "name")).isEqualTo("shop-salve-config"));
    // preStop delay 5 + drainTimeout 20s + margin 5.
    assertThat(pod.get("terminationGracePeriodSeconds")).isEqualTo(30);

    String config = m.configYaml("shop-salve-config");
    assertThat(yaml(config)).isEqualTo(at(yaml(Files.readString(source.resolve("values.yaml"))), "salve", "salve", "config"));
    assertPassesCheckConfig(config);
    assertThat(m.podAnnotations("shop")).containsEntry("checksum/config", sha256(config.stripTrailing()));
  }

  @Test
  void nativeSidecarRunsAsARestartingInitContainer() {
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object doc : new Yaml().loadAll(new Helm(CHART).template().withName("rel").set("salve.nativeSidecar", true).call())) {
      docs.add(cast(doc));
    }
    Map<String, Object> pod = new Manifests(docs).podSpec("rel-salve");

    List<Map<String, Object>> init = cast(pod.get("initContainers"));
    assertThat(init).singleElement().satisfies(c -> {
      assertThat(c).containsEntry("name", "salve").containsEntry("restartPolicy", "Always");
      assertProbesOnTheProbePort(c);
      assertLockedDown(c);
    });
    List<Map<String, Object>> containers = cast(pod.get("containers"));
    assertThat(containers).extracting(c -> c.get("name")).containsExactly("app");
  }

  @Test
  void tlsSecretsAreMountedWholeAndReadOnly() throws Exception {
    Path valuesFile = CHART.resolve("ci/tls-values.yaml");
    Manifests m = render(valuesFile);

    Map<String, Object> pod = m.podSpec("rel-salve");
    List<Map<String, Object>> volumes = cast(pod.get("volumes"));
    assertThat(volumes)
        .anySatisfy(v -> assertThat(v).isEqualTo(Map.of("name", "salve-tls-ingress", "secret", Map.of("secretName", "shop-ingress-tls"))))
        .anySatisfy(v -> assertThat(v).isEqualTo(Map.of("name", "salve-tls-payments", "secret", Map.of("secretName", "shop-payments-mtls"))));
    Map<String, Object> salve = container(pod, "salve");
    assertLockedDown(salve);
    List<Map<String, Object>> mounts = cast(salve.get("volumeMounts"));
    // A whole-volume mount, never subPath: the kubelet swaps ..data on a Secret change and salve reloads.
    assertThat(mounts)
        .contains(Map.of("name", "salve-tls-ingress", "mountPath", "/etc/salve/tls/ingress", "readOnly", true))
        .contains(Map.of("name", "salve-tls-payments", "mountPath", "/etc/salve/tls/payments", "readOnly", true))
        .allSatisfy(v -> assertThat(v).doesNotContainKey("subPath"));

    // The rendered config passes the real jar's check with real certificates where the Secrets mount.
    TestPki pki = new TestPki(Files.createDirectories(tmp.resolve("pki")));
    TestPki.Issued ca = pki.ca("shop CA");
    for (String secret : List.of("ingress", "payments")) {
      Path dir = Files.createDirectories(tmp.resolve("tls").resolve(secret));
      TestPki.Issued leaf = pki.leaf(ca, "CN=" + secret, List.of("dns:" + secret + ".shop"), false, false);
      TestPki.writeCerts(dir.resolve("tls.crt"), leaf.chain());
      TestPki.writeKey(dir.resolve("tls.key"), leaf.keys().getPrivate(), false);
      TestPki.writeCerts(dir.resolve("ca.crt"), ca.cert());
    }
    String config = m.configYaml("rel-salve-config");
    assertThat(config).contains("/etc/salve/tls/ingress/tls.crt", "/etc/salve/tls/payments/ca.crt");
    assertPassesCheckConfig(config.replace("/etc/salve/tls/", tmp.resolve("tls").toAbsolutePath() + "/"));
  }

  @Test
  void refusesATlsSecretWithoutAUsableName() {
    assertThatThrownBy(() -> new Helm(CHART).template().withName("rel")
            .set("salve.tlsSecrets[0].name", "Web_TLS").set("salve.tlsSecrets[0].secretName", "web-tls").call())
        .hasMessageContaining("salve.tlsSecrets: each entry needs a name");
  }

  @Test
  void refusesPortsThatDisagreeWithTheConfig() {
    assertThatThrownBy(() -> new Helm(CHART).template().withName("rel").set("salve.ports.probes", 9999).call())
        .hasMessageContaining("salve.ports.probes is 9999 but salve.config.admin.probes.address is 0.0.0.0:15021");
    assertThatThrownBy(() -> new Helm(CHART).template().withName("rel").set("salve.ports.ingress", 8000).call())
        .hasMessageContaining("salve.ports.ingress is 8000 but listener \"ingress\" in salve.config listens on 0.0.0.0:15000");
  }

  // --- helpers --------------------------------------------------------------------------------

  private static void assertProbesOnTheProbePort(Map<String, Object> salve) {
    assertThat(at(salve, "startupProbe", "httpGet")).isEqualTo(Map.of("path", "/live", "port", "salve-probes"));
    assertThat(at(salve, "livenessProbe", "httpGet")).isEqualTo(Map.of("path", "/live", "port", "salve-probes"));
    assertThat(at(salve, "readinessProbe", "httpGet")).isEqualTo(Map.of("path", "/ready", "port", "salve-probes"));
  }

  private static void assertLockedDown(Map<String, Object> salve) {
    assertThat(at(salve, "securityContext", "runAsNonRoot")).isEqualTo(true);
    assertThat(at(salve, "securityContext", "runAsUser")).isEqualTo(10001);
    assertThat(at(salve, "securityContext", "readOnlyRootFilesystem")).isEqualTo(true);
    assertThat(at(salve, "securityContext", "allowPrivilegeEscalation")).isEqualTo(false);
    assertThat(at(salve, "securityContext", "capabilities", "drop")).isEqualTo(List.of("ALL"));
    List<Map<String, Object>> mounts = cast(salve.get("volumeMounts"));
    assertThat(mounts)
        .anySatisfy(v -> assertThat(v).containsEntry("name", "salve-config").containsEntry("mountPath", "/etc/salve").containsEntry("readOnly", true))
        .anySatisfy(v -> assertThat(v).containsEntry("name", "salve-tmp").containsEntry("mountPath", "/tmp"));
  }

  /** The config as salve would read it from the mounted ConfigMap must pass the real jar's check. */
  private void assertPassesCheckConfig(String config) throws IOException, InterruptedException {
    assertThat(JAR).as("the salve jar (build it with mvn package)").exists();
    Path file = tmp.resolve("salve.yaml");
    Files.writeString(file, config);
    Process p =
        new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString(), "--check-config", file.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("--check-config said: %s", out).isZero();
    assertThat(out).contains("configuration OK");
  }

  private static Manifests render(Path valuesFile) {
    var template = new Helm(CHART).template().withName("rel").withNamespace("shop");
    if (valuesFile != null) {
      template.withValuesFile(valuesFile);
    }
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object doc : new Yaml().loadAll(template.call())) {
      if (doc != null) {
        docs.add(cast(doc));
      }
    }
    return new Manifests(docs);
  }

  /** The rendered documents, found by kind and name. */
  private record Manifests(List<Map<String, Object>> docs) {
    Map<String, Object> get(String kind, String name) {
      return docs.stream()
          .filter(d -> kind.equals(d.get("kind")) && name.equals(at(d, "metadata", "name")))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + kinds()));
    }

    List<Object> kinds() {
      return docs.stream().map(d -> d.get("kind")).toList();
    }

    Map<String, Object> podSpec(String deployment) {
      return cast(at(get("Deployment", deployment), "spec", "template", "spec"));
    }

    Map<String, Object> podAnnotations(String deployment) {
      return cast(at(get("Deployment", deployment), "spec", "template", "metadata", "annotations"));
    }

    String configYaml(String configMap) {
      return (String) at(get("ConfigMap", configMap), "data", "salve.yaml");
    }
  }

  private static Map<String, Object> container(Map<String, Object> podSpec, String name) {
    List<Map<String, Object>> containers = cast(podSpec.get("containers"));
    return containers.stream()
        .filter(c -> name.equals(c.get("name")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no container " + name + " in " + containers));
  }

  private static Map<String, Object> ports(Map<String, Object> container) {
    List<Map<String, Object>> ports = cast(container.get("ports"));
    Map<String, Object> byName = new java.util.LinkedHashMap<>();
    ports.forEach(p -> byName.put((String) p.get("name"), p.get("containerPort")));
    return byName;
  }

  private static Map<String, Object> env(Map<String, Object> container) {
    List<Map<String, Object>> env = cast(container.get("env"));
    Map<String, Object> byName = new java.util.LinkedHashMap<>();
    env.forEach(e -> byName.put((String) e.get("name"), e.get("value")));
    return byName;
  }

  /** Walks maps by key and lists by index. */
  private static Object at(Object node, Object... path) {
    Object current = node;
    for (Object step : path) {
      if (step instanceof Integer i) {
        current = ((List<?>) current).get(i);
      } else {
        assertThat(current).as("%s at %s", step, List.of(path)).isInstanceOf(Map.class);
        current = ((Map<?, ?>) current).get(step);
      }
    }
    return current;
  }

  private static Map<String, Object> yaml(String text) {
    return new Yaml().load(text);
  }

  @SuppressWarnings("unchecked")
  private static <T> T cast(Object o) {
    return (T) o;
  }

  private static String sha256(String s) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
  }
}
