package io.salve.config;

import static io.salve.config.ConfigTesting.errors;
import static io.salve.config.ConfigTesting.load;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Values that do not parse or are out of range, each reported as {@code path: value (expected: ...)}. */
class ValueErrorsTest {
  /** A valid file whose upstream {@code app} takes more keys from line 9, indented by 4. */
  private static final String APP = """
      listeners:
        - name: in
          address: 127.0.0.1:15000
          routes:
            - upstream: app
      upstreams:
        app:
          endpoints: [127.0.0.1:8080]
      """;

  @Test
  void negativeRouteTimeout() {
    assertThat(errors("""
        listeners:
          - name: in
            address: 127.0.0.1:15000
            routes:
              - upstream: app
              - upstream: app
                timeout: -5s
        upstreams:
          app: { endpoints: [127.0.0.1:8080] }
        """)).containsExactly(
            "7:18: listeners[0].routes[1].timeout: -5s (expected: a positive duration like 250ms, 5s, 1m)");
  }

  @Test
  void zeroDurations_whereZeroMakesNoSense() {
    String positive = " (expected: a positive duration like 250ms, 5s, 1m)";
    assertThat(errors(APP + """
            connectTimeout: 0s
            idleTimeout: 0ms
            circuitBreaker: { openDuration: 0s }
            healthCheck: { interval: 0s, timeout: 0ms }
            leases: { ttl: 0s }
            recovery: { after: 0s, webhook: http://127.0.0.1:8080/recover }
            retry: { perTryTimeout: 0s, maxElapsed: 0s }
        loadShedding: { interval: 0s }
        """)).containsExactly(
            "9:21: upstreams.app.connectTimeout: 0s" + positive,
            "10:18: upstreams.app.idleTimeout: 0ms" + positive,
            "11:37: upstreams.app.circuitBreaker.openDuration: 0s" + positive,
            "12:30: upstreams.app.healthCheck.interval: 0s" + positive,
            "12:43: upstreams.app.healthCheck.timeout: 0ms" + positive,
            "13:20: upstreams.app.leases.ttl: 0s" + positive,
            "14:24: upstreams.app.recovery.after: 0s" + positive,
            "15:29: upstreams.app.retry.perTryTimeout: 0s" + positive,
            "15:45: upstreams.app.retry.maxElapsed: 0s" + positive,
            "16:27: loadShedding.interval: 0s" + positive);
  }

  @Test
  void durations_needAUnit_butZeroIsFineWhereItMeansNoWait() {
    assertThat(errors(APP + """
        drainTimeout: 5
        """)).containsExactly("9:15: drainTimeout: 5 (expected: a duration like 0s, 250ms, 5s, 1m)");
    SalveConfig config = load(APP + """
            retry: { backoff: { initial: 0ms, max: 0s } }
        drainTimeout: 0s
        loadShedding: { retryAfter: 0s, recoverAfter: 0s }
        """);
    assertThat(config.drainTimeout()).isZero();
    assertThat(config.upstreams().get("app").retry().backoff().max()).isZero();
  }

  @Test
  void badEnums_listTheAllowedValues() {
    assertThat(errors("""
        listeners:
          - name: in
            address: 127.0.0.1:15000
            routes: [{ upstream: app, criticality: vip }]
        upstreams:
          app:
            endpoints: [127.0.0.1:8080]
            loadBalancer: fastest
            healthCheck: { type: udp }
            retry: { backoff: { jitter: half } }
        """)).containsExactly(
            "4:44: listeners[0].routes[0].criticality: vip (expected: one of critical, normal, sheddable)",
            "8:19: upstreams.app.loadBalancer: fastest (expected: one of round-robin, least-request, random)",
            "9:26: upstreams.app.healthCheck.type: udp (expected: one of http, tcp, grpc)",
            "10:33: upstreams.app.retry.backoff.jitter: half (expected: one of full, equal, decorrelated, none)");
  }

  @Test
  void thresholdsOutOfRange() {
    assertThat(errors(APP + """
            circuitBreaker: { failureThreshold: 0, failureRate: { threshold: 1.5, minimumRequests: 0 } }
            outlierDetection: { maxEjectionPercent: 101, consecutiveFailures: 0 }
            healthCheck: { panicThreshold: -0.1, healthyThreshold: 0 }
            retry: { maxAttempts: 0, backoff: { multiplier: 0.5 } }
            retryBudget: { ratio: 2 }
        loadShedding:
          degradedWhen: { cpu: 80, inflight: 0, heap: 1.01 }
        """)).containsExactly(
            "9:41: upstreams.app.circuitBreaker.failureThreshold: 0 (expected: an integer >= 1)",
            "9:70: upstreams.app.circuitBreaker.failureRate.threshold: 1.5 (expected: a fraction from 0.0 to 1.0)",
            "9:92: upstreams.app.circuitBreaker.failureRate.minimumRequests: 0 (expected: an integer >= 1)",
            "10:45: upstreams.app.outlierDetection.maxEjectionPercent: 101 (expected: an integer from 0 to 100)",
            "10:71: upstreams.app.outlierDetection.consecutiveFailures: 0 (expected: an integer >= 1)",
            "11:36: upstreams.app.healthCheck.panicThreshold: -0.1 (expected: a fraction from 0.0 to 1.0)",
            "11:60: upstreams.app.healthCheck.healthyThreshold: 0 (expected: an integer >= 1)",
            "12:27: upstreams.app.retry.maxAttempts: 0 (expected: an integer >= 1)",
            "12:53: upstreams.app.retry.backoff.multiplier: 0.5 (expected: a number from 1.0 to 1000.0)",
            "13:27: upstreams.app.retryBudget.ratio: 2 (expected: a fraction from 0.0 to 1.0)",
            "15:24: loadShedding.degradedWhen.cpu: 80 (expected: a fraction from 0.0 to 1.0)",
            "15:38: loadShedding.degradedWhen.inflight: 0 (expected: an integer >= 1)",
            "15:47: loadShedding.degradedWhen.heap: 1.01 (expected: a fraction from 0.0 to 1.0)");
  }

  @Test
  void unparsableAddresses() {
    String listen = " (expected: host:port or [IPv6]:port, port 0..65535)";
    String connect = " (expected: host:port or [IPv6]:port, port 1..65535)";
    assertThat(errors("""
        listeners:
          - name: a
            address: localhost
            routes: [{ upstream: app }]
          - name: b
            address: "[::1]:99999"
            routes: [{ upstream: app }]
          - name: c
            address: "[zz::1]:80"
            routes: [{ upstream: app }]
          - name: d
            address: 999.0.0.1:80
            routes: [{ upstream: app }]
          - name: e
            address: "::1:80"
            routes: [{ upstream: app }]
        upstreams:
          app: { endpoints: ["orders:0", "no port", { address: "bad host:1" }] }
        """)).containsExactly(
            "3:14: listeners[0].address: localhost" + listen,
            "6:14: listeners[1].address: [::1]:99999" + listen,
            "9:14: listeners[2].address: [zz::1]:80" + listen,
            "12:14: listeners[3].address: 999.0.0.1:80" + listen,
            "15:14: listeners[4].address: ::1:80" + listen,
            "18:22: upstreams.app.endpoints[0]: orders:0" + connect,
            "18:34: upstreams.app.endpoints[1]: no port" + connect,
            "18:56: upstreams.app.endpoints[2].address: bad host:1" + connect);
  }

  @Test
  void portZero_isValidForListeners_andNotADuplicate() {
    SalveConfig config = load("""
        listeners:
          - { name: a, address: "127.0.0.1:0", routes: [{ upstream: app }] }
          - { name: b, address: "127.0.0.1:0", routes: [{ upstream: app }] }
          - { name: c, address: "[::1]:0", routes: [{ upstream: app }] }
        upstreams:
          app: { endpoints: ["[::1]:8080", "localhost:65535"] }
        admin: { address: "127.0.0.1:0" }
        """);
    assertThat(config.listeners()).extracting(l -> l.address().port()).containsExactly(0, 0, 0);
    assertThat(config.listeners().get(2).address()).isEqualTo(new HostPort("::1", 0));
    assertThat(config.upstreams().get("app").endpoints().get(0).address()).hasToString("[::1]:8080");
  }

  @Test
  void outcomeTokens_mustBeKnownOrAStatus() {
    String expected = " (expected: connect-failure, reset, timeout, 5xx, gateway-error (502, 503, 504),"
        + " a status code 100..599 or a gRPC status name such as unavailable, deadline-exceeded, resource-exhausted)";
    assertThat(errors(APP + """
            retry: { retryOn: [reset, 5xx, gateway-error, 418, 5XX, 600, 99, conect-failure] }
            circuitBreaker: { failOn: [timeout, { status: 500 }] }
        """)).containsExactly(
            "9:56: upstreams.app.retry.retryOn[4]: 5XX (did you mean '5xx'?)",
            "9:61: upstreams.app.retry.retryOn[5]: 600" + expected,
            "9:66: upstreams.app.retry.retryOn[6]: 99" + expected,
            "9:70: upstreams.app.retry.retryOn[7]: conect-failure (did you mean 'connect-failure'?)",
            "10:41: upstreams.app.circuitBreaker.failOn[1]: a map" + expected);
  }

  @Test
  void outcomeTokens_gatewayErrorExpandsToItsStatuses() {
    SalveConfig config = load(APP + """
            retry: { retryOn: [gateway-error, 429] }
            circuitBreaker: { failOn: [5xx] }
        """);
    UpstreamConfig app = config.upstreams().get("app");
    assertThat(app.retry().retryOn()).isEqualTo(new FailureConditions(false, false, false, false, Set.of(429, 502, 503, 504)));
    assertThat(app.circuitBreaker().failOn().matchesStatus(599)).isTrue();
    assertThat(app.circuitBreaker().failOn().connectFailure()).isFalse();
  }

  @Test
  void recoveryWebhook_mustBeHttp() {
    assertThat(errors(APP + """
            recovery: { after: 30s, webhook: https://ops.example.com/recover }
          other:
            endpoints: [127.0.0.1:8081]
            recovery: { after: 30s }
        """)).containsExactly(
            "9:38: upstreams.app.recovery.webhook: https://ops.example.com/recover"
                + " (expected: an http:// URL like http://127.0.0.1:8080/recover)",
            "12:15: upstreams.other.recovery.webhook: missing (expected: an http:// URL)");
  }

  @Test
  void minimumAboveMaximum() {
    assertThat(errors(APP + """
            retry: { backoff: { initial: 2s, max: 1s } }
            outlierDetection: { maxEjectionTime: 10s }
          other:
            endpoints: [127.0.0.1:8081]
            retry: { backoff: { max: 10ms } }
        loadShedding:
          adaptiveConcurrency: { minLimit: 100, maxLimit: 10 }
        """)).containsExactly(
            "9:34: upstreams.app.retry.backoff.initial: 2s (expected: at most max, which is 1s)",
            "10:42: upstreams.app.outlierDetection.maxEjectionTime: 10s (expected: at least baseEjectionTime, which is 30s)",
            "13:30: upstreams.other.retry.backoff.max: 10ms (expected: at least initial, which is 50ms)",
            "15:36: loadShedding.adaptiveConcurrency.minLimit: 100 (expected: at most maxLimit, which is 10)");
  }

  @Test
  void trustedProxies_mustBeCidrsOrAddresses() {
    String expected = " (expected: a CIDR like 10.0.0.0/8 or fd00::/8, or an IP address)";
    assertThat(errors("""
        listeners:
          - name: in
            address: 127.0.0.1:15000
            trustedProxies: [10.0.0.0/8, 10.0.0.0/33, 1.2.3, "fd00::/129", proxy.local]
            routes: [{ upstream: app }]
        upstreams:
          app: { endpoints: [127.0.0.1:8080] }
        """)).containsExactly(
            "4:34: listeners[0].trustedProxies[1]: 10.0.0.0/33" + expected,
            "4:47: listeners[0].trustedProxies[2]: 1.2.3" + expected,
            "4:54: listeners[0].trustedProxies[3]: fd00::/129" + expected,
            "4:68: listeners[0].trustedProxies[4]: proxy.local" + expected);
  }

  @Test
  void trustedProxies_bareAddressesAreSingleHosts_andHostBitsAreCleared() {
    SalveConfig config = load("""
        listeners:
          - name: in
            address: 127.0.0.1:15000
            trustedProxies: [192.168.1.7/24, 10.0.0.1, "::1", "fd00::/8"]
            routes: [{ upstream: app }]
        upstreams:
          app: { endpoints: [127.0.0.1:8080] }
        """);
    List<Cidr> cidrs = config.listeners().get(0).trustedProxies();
    assertThat(cidrs).extracting(Cidr::toString)
        .containsExactly("192.168.1.0/24", "10.0.0.1/32", "0:0:0:0:0:0:0:1/128", "fd00:0:0:0:0:0:0:0/8");
    assertThat(cidrs.get(0).contains(new byte[] {(byte) 192, (byte) 168, 1, 99})).isTrue();
  }

  @Test
  void sizes() {
    assertThat(errors("""
        listeners:
          - name: in
            address: 127.0.0.1:15000
            maxHeaderSize: 0
            maxRequestBody: 1KB
            maxInitialLineLength: 4GiB
            routes: [{ upstream: app, maxRequestBody: -1 }]
        upstreams:
          app: { endpoints: [127.0.0.1:8080], retry: { maxBufferedBody: lots } }
        """)).containsExactly(
            "4:20: listeners[0].maxHeaderSize: 0 (expected: a positive size below 2GiB like 512B, 64KiB, 1MiB)",
            "5:21: listeners[0].maxRequestBody: 1KB (expected: a size like 512B, 64KiB, 1MiB)",
            "6:27: listeners[0].maxInitialLineLength: 4GiB"
                + " (expected: a positive size below 2GiB like 512B, 64KiB, 1MiB)",
            "7:47: listeners[0].routes[0].maxRequestBody: -1 (expected: a size like 512B, 64KiB, 1MiB)",
            "9:65: upstreams.app.retry.maxBufferedBody: lots (expected: a size like 512B, 64KiB, 1MiB)");
  }

  @Test
  void upgrades() {
    assertThat(errors("""
        listeners:
          - name: in
            address: 127.0.0.1:15000
            routes: [{ upstream: app, upgrades: [websocket, "a b"], upgradeIdleTimeout: 0s }]
        upstreams:
          app: { endpoints: [127.0.0.1:8080] }
        """)).hasSize(2).allMatch(e -> e.startsWith("4:"))
        .anyMatch(e -> e.contains("listeners[0].routes[0].upgrades[1]: a b (expected: an upgrade token like websocket)"))
        .anyMatch(e -> e.contains("listeners[0].routes[0].upgradeIdleTimeout: 0s"));
    SalveConfig config = load("""
        listeners:
          - name: in
            address: 127.0.0.1:15000
            routes: [{ upstream: app, upgrades: [WebSocket, foo], upgradeIdleTimeout: 30s }]
        upstreams:
          app: { endpoints: [127.0.0.1:8080] }
        """);
    RouteConfig route = config.listeners().get(0).routes().get(0);
    assertThat(route.upgrades()).containsExactlyInAnyOrder("websocket", "foo");
    assertThat(route.upgradeIdleTimeout()).isEqualTo(java.time.Duration.ofSeconds(30));
  }

  @Test
  void sizes_inAllUnits() {
    SalveConfig config = load("""
        listeners:
          - name: in
            address: 127.0.0.1:15000
            maxHeaderSize: 64KiB
            maxRequestBody: 1GiB
            maxInitialLineLength: 4096
            routes: [{ upstream: app, maxRequestBody: 512B }]
        upstreams:
          app: { endpoints: [127.0.0.1:8080], retry: { maxBufferedBody: 1MiB } }
        """);
    ListenerLimits limits = config.listeners().get(0).limits();
    assertThat(limits.maxHeaderSize()).isEqualTo(65536);
    assertThat(limits.maxRequestBody()).isEqualTo(1L << 30);
    assertThat(limits.maxInitialLineLength()).isEqualTo(4096);
    assertThat(config.listeners().get(0).routes().get(0).maxRequestBody()).isEqualTo(512);
    assertThat(config.upstreams().get("app").retry().maxBufferedBody()).isEqualTo(1 << 20);
  }

  @Test
  void reloadWatch_isABoolean() {
    assertThat(load(APP + """
        reload: { watch: false }
        """).reload()).isEqualTo(new ReloadConfig(false));
    assertThat(errors(APP + """
        reload: { watch: sometimes, poll: 1s }
        """)).containsExactly(
            "9:18: reload.watch: sometimes (expected: true or false)",
            "9:29: unknown key 'poll' in reload (expected: one of watch)");
  }

  @Test
  void booleansAndStatusRanges() {
    assertThat(errors(APP + """
            retry: { retryNonIdempotent: yes }
            healthCheck: { expectedStatus: 299-200, path: healthz }
        accessLog: { enabled: 1 }
        """)).containsExactly(
            "9:34: upstreams.app.retry.retryNonIdempotent: yes (expected: true or false)",
            "10:36: upstreams.app.healthCheck.expectedStatus: 299-200"
                + " (expected: a status like 204 or a range like 200-399, within 100..599)",
            "10:51: upstreams.app.healthCheck.path: healthz (expected: a path starting with /)",
            "11:23: accessLog.enabled: 1 (expected: true or false)");
    assertThat(load(APP + """
            healthCheck: { expectedStatus: 204, type: TCP }
        """).upstreams().get("app").healthCheck())
        .extracting(HealthCheckConfig::expectedStatus, HealthCheckConfig::type)
        .containsExactly(new HealthCheckConfig.StatusRange(204, 204), HealthCheckConfig.ProbeType.TCP);
  }

  @Test
  void routeMatch_isNormalised_andPathPrefixMustStartWithSlash() {
    assertThat(errors("""
        listeners:
          - name: in
            address: 127.0.0.1:15000
            routes:
              - upstream: app
                match: { pathPrefix: api, methods: [get, "GET /"], headers: { "x tenant": a, X-A: b, x-a: c } }
        upstreams:
          app: { endpoints: [127.0.0.1:8080] }
        """)).containsExactly(
            "6:30: listeners[0].routes[0].match.pathPrefix: api (expected: a path starting with /)",
            "6:50: listeners[0].routes[0].match.methods[1]: GET / (expected: an HTTP method like GET)",
            "6:71: listeners[0].routes[0].match.headers.x tenant: x tenant (expected: a header name (letters, digits, -))",
            "6:94: listeners[0].routes[0].match.headers.x-a: x-a (expected: a header not already listed (names ignore case))");
    RouteMatch match = load("""
        listeners:
          - name: in
            address: 127.0.0.1:15000
            routes: [{ upstream: app, match: { host: API.Example.com, methods: [get, Post], headers: { X-A: b } } }]
        upstreams:
          app: { endpoints: [127.0.0.1:8080] }
        """).listeners().get(0).routes().get(0).match();
    assertThat(match).isEqualTo(new RouteMatch("api.example.com", "/", Set.of("GET", "POST"), Map.of("x-a", "b")));
  }
}
