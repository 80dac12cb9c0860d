package io.salve.config;

import static io.salve.config.ConfigTesting.errors;
import static io.salve.config.ConfigTesting.load;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Problems of the YAML itself and of its shape: syntax, keys, types, aliases, environment references. */
class YamlErrorsTest {
  @Test
  void syntaxError_isReportedAtItsPosition() {
    assertThat(errors("""
        listeners:
          - name: a: b
        """)).containsExactly("2:12: invalid YAML: mapping values are not allowed here");
  }

  @Test
  void unclosedFlowSequence_isReportedWithContext() {
    assertThat(errors("""
        upstreams:
          app:
            endpoints: [127.0.0.1:8080
        listeners: []
        """)).containsExactly(
            "4:10: invalid YAML: while parsing a flow sequence, expected ',' or ']', but got :");
  }

  @Test
  void controlCharacter_isReportedAtItsPosition() {
    assertThat(errors("listeners: []\nupstreams: { app: \"caf\u00e9 \u0007\" }\n"))
        .containsExactly("2:25: invalid YAML: special character U+0007 is not allowed");
  }

  @Test
  void emptyFile_isAnError() {
    assertThat(errors("# nothing but a comment\n"))
        .containsExactly("1:1: the file is empty (expected: a map with listeners and upstreams)");
  }

  @Test
  void secondDocument_isAnError() {
    assertThat(errors("""
        listeners: []
        ---
        upstreams: {}
        """)).containsExactly(
            "2:1: invalid YAML: expected a single document in the stream, but found another document");
  }

  @Test
  void topLevelList_isAWrongType() {
    assertThat(errors("- listeners\n"))
        .containsExactly("1:1: the top level: a list (expected: a map with listeners and upstreams at the top level)");
  }

  @Test
  void unknownKey_suggestsTheClosestValidKey() {
    assertThat(errors("""
        listeners:
          - name: in
            address: 127.0.0.1:15000
            routes: [{ upstream: orders }]
        upstreams:
          orders:
            endpionts: [127.0.0.1:8080]
            leases: {}
        """)).containsExactly("7:5: unknown key 'endpionts' in upstreams.orders (did you mean 'endpoints'?)");
  }

  @Test
  void unknownKey_withoutCloseMatch_listsTheValidKeys() {
    assertThat(errors("""
        listeners:
          - name: in
            address: 127.0.0.1:15000
            routes: [{ upstream: app, match: { path: /x } }]
        upstreams:
          app: { endpoints: [127.0.0.1:8080] }
        colour: blue
        """)).containsExactly(
            "4:40: unknown key 'path' in listeners[0].routes[0].match"
                + " (expected: one of host, pathPrefix, methods, headers, clientUri, clientDns)",
            "7:1: unknown key 'colour' at the top level (expected: one of admin, listeners, upstreams,"
                + " loadShedding, coordination, accessLog, drainTimeout, reload)");
  }

  @Test
  void duplicateKey_isReportedAtTheSecondOccurrence() {
    assertThat(errors("""
        listeners:
          - name: in
            address: 127.0.0.1:15000
            name: out
            routes: [{ upstream: app }]
        upstreams:
          app: { endpoints: [127.0.0.1:8080] }
        """)).containsExactly("4:5: duplicate key 'name' in listeners[0] (first at line 2)");
  }

  @Test
  void wrongTypes_sayWhatWasFoundAndWhatIsExpected() {
    assertThat(errors("""
        listeners:
          name: in
        upstreams: none
        loadShedding: [1s]
        admin:
          readyWhenHealthy: app
        """)).containsExactly(
            "2:3: listeners: a map (expected: a non-empty list of listeners with name, address, routes)",
            "3:12: upstreams: none (expected: a map from upstream name to its settings)",
            "4:15: loadShedding: a list (expected: a map of load shedding settings)",
            "6:21: admin.readyWhenHealthy: app (expected: a list of upstream names)");
  }

  @Test
  void mapAsKey_isRejected() {
    assertThat(errors("""
        ? { a: 1 }
        : x
        listeners: [{ name: in, address: 127.0.0.1:0, routes: [{ upstream: app }] }]
        upstreams: { app: { endpoints: [127.0.0.1:8080] } }
        """)).containsExactly("1:3: key: a map (expected: a plain name)");
  }

  @Test
  void anchorsAndAliases_canShareAPolicy() {
    SalveConfig config = load("""
        listeners:
          - name: in
            address: 127.0.0.1:0
            routes:
              - { upstream: a, retry: &patient { maxAttempts: 4 } }
              - { upstream: b, retry: *patient }
        upstreams:
          a: { endpoints: [127.0.0.1:8080] }
          b: { endpoints: [127.0.0.1:8081] }
        """);
    assertThat(config.listeners().get(0).routes()).extracting(r -> r.retry().maxAttempts()).containsExactly(4, 4);
  }

  @Test
  void billionLaughs_isStoppedByTheAliasLimit() {
    StringBuilder yaml = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i <= 30; i++) {
      yaml.append("a").append(i).append(": &a").append(i).append(" [*a").append(i - 1).append(", *a")
          .append(i - 1).append("]\n");
    }
    assertThat(errors(yaml.toString()))
        .containsExactly("27:12: invalid YAML: Number of aliases for non-scalar nodes exceeds the specified max=50");
  }

  @Test
  void environmentReferences_areExpandedPerScalar() {
    SalveConfig config = load("""
        listeners:
          - name: ${LISTENER:-in}
            address: ${HOST}:${PORT:-15000}
            routes: [{ upstream: app, timeout: "${TIMEOUT:-5s}" }]
        upstreams:
          app: { endpoints: ["${APP:-127.0.0.1:8080}"] }
        """, Map.of("HOST", "10.1.2.3", "PORT", "", "TIMEOUT", "2s"));
    ListenerConfig listener = config.listeners().get(0);
    assertThat(listener.name()).isEqualTo("in");
    assertThat(listener.address()).isEqualTo(new HostPort("10.1.2.3", 15000));
    assertThat(listener.routes().get(0).timeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.upstreams().get("app").endpoints().get(0).address()).isEqualTo(new HostPort("127.0.0.1", 8080));
  }

  @Test
  void unsetVariableWithoutDefault_isReportedAtItsScalar() {
    assertThat(errors("""
        listeners:
          - name: in
            address: ${HOST}:15000
            routes: [{ upstream: app }]
        upstreams:
          app: { endpoints: [127.0.0.1:8080] }
        coordination:
          identity: pod-${POD_NAME}
          etcd: { endpoints: [http://127.0.0.1:2379] }
        """)).containsExactly(
            "3:14: listeners[0].address: environment variable HOST is not set"
                + " (expected: set it, or give a default as ${HOST:-default})",
            "8:13: coordination.identity: environment variable POD_NAME is not set"
                + " (expected: set it, or give a default as ${POD_NAME:-default})");
  }

  @Test
  void badValueFromTheEnvironment_showsBothValueAndReference() {
    assertThat(errors("""
        listeners:
          - name: in
            address: 127.0.0.1:0
            routes: [{ upstream: app, timeout: "${T}" }]
        upstreams:
          app: { endpoints: [127.0.0.1:8080] }
        """, Map.of("T", "5"))).containsExactly(
            "4:40: listeners[0].routes[0].timeout: 5 (from ${T}) (expected: a positive duration like 250ms, 5s, 1m)");
  }

  @Test
  void everyProblem_isReportedAtOnce_inFileOrder() {
    assertThat(errors("""
        drainTimeout: soon
        listeners:
          - name: in
            address: nowhere
            routes: [{ upstream: ap }]
        upstreams:
          app: { endpoints: [127.0.0.1:8080], loadBalancer: fastest }
        accesslog: { enabled: false }
        """)).containsExactly(
            "1:15: drainTimeout: soon (expected: a duration like 0s, 250ms, 5s, 1m)",
            "4:14: listeners[0].address: nowhere (expected: host:port or [IPv6]:port, port 0..65535)",
            "5:26: listeners[0].routes[0].upstream: ap (expected: one of the upstreams app; did you mean 'app'?)",
            "7:53: upstreams.app.loadBalancer: fastest (expected: one of round-robin, least-request, random)",
            "8:1: unknown key 'accesslog' at the top level (did you mean 'accessLog'?)");
  }

  @Test
  void missingFile_isAConfigException(@TempDir Path dir) {
    Path file = dir.resolve("absent.yaml");
    ConfigException e = catchThrowableOfType(
        ConfigException.class, () -> new ConfigLoader(Map.of()).load(file));
    assertThat(e.errors()).containsExactly(new ConfigError(file.toString(), 0, 0, "no such file"));
    assertThat(e.fileUnreadable()).isTrue();
    assertThat(e.errors().get(0)).hasToString(file + ": no such file");
  }

  @Test
  void unreadableFiles_sayWhyInPlainWords(@TempDir Path dir) throws Exception {
    ConfigLoader loader = new ConfigLoader(Map.of());
    ConfigException directory = catchThrowableOfType(ConfigException.class, () -> loader.load(dir));
    assertThat(directory.fileUnreadable()).isTrue();
    assertThat(directory.errors()).extracting(ConfigError::toString).containsExactly(dir + ": is a directory");

    Path latin1 = Files.write(dir.resolve("latin1.yaml"), new byte[] {'a', ':', ' ', (byte) 0xe9, '\n'});
    assertThat(catchThrowableOfType(ConfigException.class, () -> loader.load(latin1)).errors())
        .extracting(ConfigError::message)
        .containsExactly("not UTF-8 text");

    assertThat(ConfigLoader.reason(new java.nio.file.AccessDeniedException("/etc/salve/salve.yaml")))
        .isEqualTo("permission denied");
  }

  @Test
  void aProblemInTheFile_isNotAnUnreadableFile() {
    ConfigException e = catchThrowableOfType(
        ConfigException.class, () -> new ConfigLoader(Map.of()).parse("listeners: []\n", "etc/salve.yaml"));
    assertThat(e.fileUnreadable()).isFalse();
  }

  @Test
  void errorsPrintAsFileLineColumn() {
    ConfigException e = catchThrowableOfType(
        ConfigException.class, () -> new ConfigLoader(Map.of()).parse("listeners: []\n", "etc/salve.yaml"));
    assertThat(e.errors()).extracting(ConfigError::toString).containsExactly(
        "etc/salve.yaml:1:1: upstreams: missing (expected: a map from upstream name to its settings)",
        "etc/salve.yaml:1:12: listeners: [] (expected: a non-empty list of listeners with name, address, routes)");
    assertThat(e).hasMessage("2 configuration error(s)");
  }
}
