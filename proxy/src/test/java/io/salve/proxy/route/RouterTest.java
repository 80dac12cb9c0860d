package io.salve.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.salve.config.Criticality;
import io.salve.config.HostPort;
import io.salve.config.ListenerConfig;
import io.salve.config.ListenerLimits;
import io.salve.config.RouteConfig;
import io.salve.config.RouteMatch;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouterTest {
  private static final ListenerLimits LIMITS =
      new ListenerLimits(8192, 32768, 100, -1, Duration.ofSeconds(10), Duration.ofSeconds(60));

  private static RouteConfig route(String name, String host, String prefix, Set<String> methods, Map<String, String> headers) {
    return new RouteConfig(name, new RouteMatch(host, prefix, methods, headers), "u", Criticality.NORMAL, null, null, -1);
  }

  private final Router router =
      new Router(
          new ListenerConfig(
              "egress",
              new HostPort("127.0.0.1", 0),
              List.of(
                  route("orders-gold", "orders", "/", Set.of(), Map.of("x-tenant", "gold")),
                  route("orders", "orders", "/", Set.of(), Map.of()),
                  route("checkout", null, "/checkout", Set.of("POST"), Map.of()),
                  route("api", null, "/api/", Set.of(), Map.of()),
                  route("default", null, "/", Set.of(), Map.of())),
              LIMITS,
              List.of()));

  private String match(String method, String host, String path, HttpHeaders headers) {
    Route r = router.route(method, host, path, (n, v) -> headers.contains(n, v, false));
    return r == null ? null : r.name();
  }

  private String match(String method, String host, String path) {
    return match(method, host, path, new DefaultHttpHeaders());
  }

  @Test
  void firstMatchWinsInConfiguredOrder() {
    HttpHeaders gold = new DefaultHttpHeaders().add("x-tenant", "gold");
    assertThat(match("GET", "orders", "/x", gold)).isEqualTo("orders-gold");
    assertThat(match("GET", "orders", "/x")).isEqualTo("orders");
  }

  @Test
  void headerValuesMatchExactly() {
    HttpHeaders silver = new DefaultHttpHeaders().add("x-tenant", "silver");
    assertThat(match("GET", "orders", "/x", silver)).isEqualTo("orders");
  }

  @Test
  void methodsRestrictARoute() {
    assertThat(match("POST", null, "/checkout/1")).isEqualTo("checkout");
    assertThat(match("GET", null, "/checkout/1")).isEqualTo("default");
  }

  @Test
  void hostMustMatchWhenGiven() {
    assertThat(match("GET", "catalog", "/x")).isEqualTo("default");
    assertThat(match("GET", null, "/x")).isEqualTo("default");
  }

  @Test
  void pathPrefixIsAPlainCaseSensitivePrefix() {
    assertThat(match("GET", null, "/api/v1")).isEqualTo("api");
    assertThat(match("GET", null, "/api")).isEqualTo("default");
    assertThat(match("GET", null, "/API/v1")).isEqualTo("default");
  }

  @Test
  void noRouteWhenNothingMatches() {
    Router onlyApi =
        new Router(
            new ListenerConfig(
                "l", new HostPort("127.0.0.1", 0), List.of(route("api", null, "/api", Set.of(), Map.of())), LIMITS, List.of()));
    assertThat(onlyApi.route("GET", null, "/other", (n, v) -> false)).isNull();
  }

  @Test
  void clientCertificateNamesSelectRoutesAndAnAbsentCertificateMatchesNone() {
    Router mtls =
        new Router(
            new ListenerConfig(
                "ingress",
                new HostPort("127.0.0.1", 0),
                List.of(
                    new RouteConfig("spiffe", new RouteMatch(null, "/", Set.of(), Map.of(), "spiffe://shop/web", null),
                        "u", Criticality.NORMAL, null, null, -1),
                    new RouteConfig("dns", new RouteMatch(null, "/", Set.of(), Map.of(), null, "batch.shop"),
                        "u", Criticality.NORMAL, null, null, -1),
                    route("default", null, "/", Set.of(), Map.of())),
                LIMITS,
                List.of()));
    ClientNames web = new ClientNames(List.of("spiffe://shop/web"), List.of("web.shop"));
    ClientNames batch = new ClientNames(List.of("spiffe://shop/batch"), List.of("batch.shop"));
    assertThat(mtls.route("GET", null, "/x", (n, v) -> false, web).name()).isEqualTo("spiffe");
    assertThat(mtls.route("GET", null, "/x", (n, v) -> false, batch).name()).isEqualTo("dns");
    assertThat(mtls.route("GET", null, "/x", (n, v) -> false, null).name()).isEqualTo("default");
    assertThat(mtls.route("GET", null, "/x", (n, v) -> false).name()).isEqualTo("default");
  }
}
