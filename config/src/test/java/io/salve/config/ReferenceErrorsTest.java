package io.salve.config;

import static io.salve.config.ConfigTesting.errors;
import static io.salve.config.ConfigTesting.load;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Problems across sections: names that must exist or be unique, and required parts. */
class ReferenceErrorsTest {
  @Test
  void routeToAnUndefinedUpstream() {
    assertThat(errors("""
        listeners:
          - name: in
            address: 127.0.0.1:15000
            routes:
              - upstream: orders
              - upstream: billing
        upstreams:
          ordres: { endpoints: [127.0.0.1:8080] }
        """)).containsExactly(
            "5:19: listeners[0].routes[0].upstream: orders"
                + " (expected: one of the upstreams ordres; did you mean 'ordres'?)",
            "6:19: listeners[0].routes[1].upstream: billing (expected: one of the upstreams ordres)");
  }

  @Test
  void routeWithoutUpstream_andNoUpstreamsAtAll() {
    assertThat(errors("""
        listeners:
          - name: in
            address: 127.0.0.1:15000
            routes:
              - match: { pathPrefix: / }
              - upstream: app
        """)).containsExactly(
            "1:1: upstreams: missing (expected: a map from upstream name to its settings)",
            "5:9: listeners[0].routes[0].upstream: missing (expected: the name of an upstream)",
            "6:19: listeners[0].routes[1].upstream: app (expected: the name of an upstream, but none is defined)");
  }

  @Test
  void duplicateListenerNamesAndAddresses() {
    assertThat(errors("""
        listeners:
          - name: in
            address: 127.0.0.1:15000
            routes: [{ upstream: app }]
          - name: in
            address: LOCALHOST:15000
            routes: [{ upstream: app }]
          - name: out
            address: 127.0.0.1:15000
            routes: [{ upstream: app }]
        upstreams:
          app: { endpoints: [127.0.0.1:8080] }
        """)).containsExactly(
            "5:11: listeners[1].name: in (expected: a name not used by listeners[0])",
            "9:14: listeners[2].address: 127.0.0.1:15000 (expected: an address not used by listeners[0])");
  }

  @Test
  void duplicateRouteNamesInAListener() {
    assertThat(errors("""
        listeners:
          - name: in
            address: 127.0.0.1:15000
            routes:
              - { name: route-1, upstream: app }
              - { upstream: app }
        upstreams:
          app: { endpoints: [127.0.0.1:8080] }
        """)).containsExactly(
            "6:9: listeners[0].routes[1].name: route-1 (expected: a name not used by routes[0] of the same listener)");
  }

  @Test
  void healthDependenciesMustNameUpstreams() {
    assertThat(errors("""
        admin:
          readyWhenHealthy: [app, ap]
        listeners:
          - name: in
            address: 127.0.0.1:15000
            routes: [{ upstream: app }]
        upstreams:
          app: { endpoints: [127.0.0.1:8080] }
        coordination:
          identity: p-0
          etcd: { endpoints: [http://127.0.0.1:2379] }
          leaderElection: { election: e, whenHealthy: db }
          registration: { service: s, address: 127.0.0.1:15000, whenHealthy: App }
        """)).containsExactly(
            "2:27: admin.readyWhenHealthy[1]: ap (expected: one of the upstreams app; did you mean 'app'?)",
            "12:47: coordination.leaderElection.whenHealthy: db (expected: one of the upstreams app)",
            "13:70: coordination.registration.whenHealthy: App (expected: one of the upstreams app; did you mean 'app'?)");
  }

  @Test
  void adminOnANonLoopbackAddress_mustBeAllowedExplicitly() {
    String listener = """
        listeners:
          - name: in
            address: 127.0.0.1:15000
            routes: [{ upstream: app }]
        upstreams:
          app: { endpoints: [127.0.0.1:8080] }
        """;
    assertThat(errors(listener + """
        admin:
          address: 0.0.0.0:9901
        """)).containsExactly("8:12: admin.address: 0.0.0.0:9901 (expected: a loopback address like 127.0.0.1:9901;"
            + " to expose the admin server beyond this host, set admin.allowNonLoopback: true)");
    assertThat(load(listener + """
        admin: { address: 0.0.0.0:9901, allowNonLoopback: true }
        """).admin().address()).isEqualTo(new HostPort("0.0.0.0", 9901));
    assertThat(load(listener + """
        admin: { address: "[::1]:9901" }
        """).admin().address().isLoopback()).isTrue();
  }

  @Test
  void adminAddress_mustNotBeAListenersAddress() {
    assertThat(errors("""
        listeners:
          - name: in
            address: 127.0.0.1:9901
            routes: [{ upstream: app }]
        upstreams:
          app: { endpoints: [127.0.0.1:8080] }
        admin: { address: 127.0.0.1:9901 }
        """)).containsExactly(
            "7:19: admin.address: 127.0.0.1:9901 (expected: an address not used by listener in)");
  }

  @Test
  void probesAddress_mayBeNonLoopbackWithoutPermission() {
    AdminConfig admin = load("""
        listeners:
          - name: in
            address: 127.0.0.1:15000
            routes: [{ upstream: app }]
        upstreams:
          app: { endpoints: [127.0.0.1:8080] }
        admin:
          probes: { address: 0.0.0.0:15021 }
        """).admin();
    assertThat(admin.probes()).isEqualTo(new AdminConfig.ProbesConfig(new HostPort("0.0.0.0", 15021)));
    assertThat(admin.address()).isEqualTo(new HostPort("127.0.0.1", 9901));
    assertThat(admin.allowNonLoopback()).isFalse();
  }

  @Test
  void probesAddress_isRequiredInTheSection_andMustNotBeTakenAlready() {
    String listener = """
        listeners:
          - name: in
            address: 127.0.0.1:15000
            routes: [{ upstream: app }]
        upstreams:
          app: { endpoints: [127.0.0.1:8080] }
        """;
    assertThat(errors(listener + """
        admin:
          probes: {}
        """)).containsExactly(
            "8:11: admin.probes.address: missing (expected: host:port for GET /live, /ready and /metrics)");
    assertThat(errors(listener + """
        admin:
          probes: { address: 15021 }
        """)).hasSize(1).first().asString().startsWith("8:22: admin.probes.address: 15021 (expected: ");
    assertThat(errors(listener + """
        admin:
          address: 127.0.0.1:9901
          probes: { address: 127.0.0.1:9901 }
        """)).containsExactly(
            "9:22: admin.probes.address: 127.0.0.1:9901 (expected: an address other than admin.address)");
    assertThat(errors(listener + """
        admin:
          probes: { address: 127.0.0.1:15000 }
        """)).containsExactly(
            "8:22: admin.probes.address: 127.0.0.1:15000 (expected: an address not used by listener in)");
    assertThat(load(listener + """
        admin:
          address: 127.0.0.1:0
          probes: { address: 127.0.0.1:0 }
        """).admin().probes().address()).isEqualTo(new HostPort("127.0.0.1", 0));
  }

  @Test
  void listenersMissing_orEmpty() {
    String upstreams = """
        upstreams:
          app: { endpoints: [127.0.0.1:8080] }
        """;
    assertThat(errors(upstreams)).containsExactly(
        "1:1: listeners: missing (expected: a non-empty list of listeners with name, address, routes)");
    assertThat(errors(upstreams + "listeners: []\n")).containsExactly(
        "3:12: listeners: [] (expected: a non-empty list of listeners with name, address, routes)");
  }

  @Test
  void listenerWithoutRoutes_orNameOrAddress() {
    assertThat(errors("""
        listeners:
          - name: in
            address: 127.0.0.1:15000
          - name: out
            address: 127.0.0.1:15001
            routes: []
          - routes: [{ upstream: app }]
        upstreams:
          app: { endpoints: [127.0.0.1:8080] }
        """)).containsExactly(
            "2:5: listeners[0].routes: missing (expected: a non-empty list of routes)",
            "6:13: listeners[1].routes: [] (expected: a non-empty list of routes)",
            "7:5: listeners[2].name: missing (expected: a unique listener name)",
            "7:5: listeners[2].address: missing (expected: host:port to listen on)");
  }

  @Test
  void upstreamWithoutEndpoints_needsDiscoveryOrLeases() {
    assertThat(errors("""
        listeners:
          - name: in
            address: 127.0.0.1:15000
            routes: [{ upstream: a }]
        upstreams:
          a:
            loadBalancer: random
          b: { endpoints: [] }
          c:
          d: { discovery: { etcd: d } }
          e: { leases: {} }
        coordination: { identity: p-0, etcd: { endpoints: ["http://127.0.0.1:2379"] } }
        """)).containsExactly(
            "6:3: upstreams.a: no endpoints (expected: endpoints, discovery or leases)",
            "8:3: upstreams.b: no endpoints (expected: endpoints, discovery or leases)",
            "9:3: upstreams.c: no endpoints (expected: endpoints, discovery or leases)");
  }

  @Test
  void discoveryNeedsCoordination() {
    assertThat(errors("""
        listeners: [{ name: in, address: 127.0.0.1:15000, routes: [{ upstream: catalog }] }]
        upstreams:
          catalog: { discovery: { etcd: catalog } }
        """)).containsExactly("3:33: upstreams.catalog.discovery.etcd: catalog (expected: a service name,"
            + " with a coordination section giving the etcd endpoints to discover it from)");
  }

  @Test
  void coordinationRequiresIdentityAndEtcdEndpoints() {
    assertThat(errors("""
        listeners: [{ name: in, address: 127.0.0.1:15000, routes: [{ upstream: app }] }]
        upstreams: { app: { endpoints: [127.0.0.1:8080] } }
        coordination:
          etcd: { endpoints: [etcd:2379, "https://etcd:2379"], namespace: salve }
          leaderElection: { ttl: 500ms }
          registration: { service: s, address: "127.0.0.1:0" }
        """)).containsExactly(
            "4:3: coordination.identity: missing (expected: this instance's identity, e.g. ${POD_NAME})",
            "4:23: coordination.etcd.endpoints[0]: etcd:2379 (expected: an etcd URL like http://127.0.0.1:2379)",
            "4:67: coordination.etcd.namespace: salve (expected: a key prefix starting with /)",
            "5:19: coordination.leaderElection.election: missing (expected: an election name)",
            "5:26: coordination.leaderElection.ttl: 500ms (expected: a duration of at least 1s like 10s, 1m)",
            "6:40: coordination.registration.address: 127.0.0.1:0 (expected: host:port or [IPv6]:port, port 1..65535)");
  }

  @Test
  void leaderElectionWebhookMustBeAnHttpUrl() {
    assertThat(errors("""
        listeners: [{ name: in, address: 127.0.0.1:15000, routes: [{ upstream: app }] }]
        upstreams: { app: { endpoints: [127.0.0.1:8080] } }
        coordination:
          identity: me
          etcd: { endpoints: [http://127.0.0.1:2379] }
          leaderElection: { election: e, webhook: "https://hooks.example/leader" }
        """)).containsExactly(
            "6:43: coordination.leaderElection.webhook: https://hooks.example/leader"
                + " (expected: an http:// URL like http://127.0.0.1:8080/leader-changed)");
  }
}
