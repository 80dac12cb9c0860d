package io.salve.proxy.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.salve.config.ConfigLoader;
import io.salve.proxy.admin.AdminResponse;
import io.salve.proxy.admin.AdminRoute;
import io.salve.proxy.admin.LeaseRoutes;
import io.salve.proxy.upstream.Endpoint;
import io.salve.proxy.upstream.Upstream;
import io.salve.proxy.upstream.Upstreams;
import io.salve.proxy.util.FakeTicker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LeaseServiceTest {

  private static final String YAML =
      """
      listeners:
        - name: egress
          address: 127.0.0.1:0
          routes:
            - match: { pathPrefix: / }
              upstream: leased
      upstreams:
        leased:
          leases: { ttl: 2s }
        mixed:
          endpoints: [127.0.0.1:7000]
          leases: { ttl: 10s }
        fixed:
          endpoints: [127.0.0.1:7001]
      """;

  private final FakeTicker ticker = new FakeTicker();
  private final ObjectMapper json = new ObjectMapper();
  private final List<String> events = new CopyOnWriteArrayList<>();
  private DefaultEventLoopGroup workers;
  private Upstreams upstreams;
  private LeaseService service;
  private AdminRoute route;

  @BeforeEach
  void setUp() throws Exception {
    workers = new DefaultEventLoopGroup(1);
    upstreams = new Upstreams(new ConfigLoader(Map.of()).parse(YAML, "test.yaml"), 1);
    service = new LeaseService(upstreams, workers, ticker);
    service.addMembershipListener(
        new LeaseService.MembershipListener() {
          @Override
          public void onJoined(Upstream u, Endpoint e) {
            events.add("joined " + e);
          }

          @Override
          public void onLeft(Upstream u, Endpoint e) {
            events.add("left " + e);
          }
        });
    route = LeaseRoutes.of(service).get(0);
  }

  @AfterEach
  void tearDown() {
    service.close();
    upstreams.close();
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private AdminResponse call(HttpMethod method, String uri) {
    String path = new QueryStringDecoder(uri).path();
    assertThat(route.matches(method, path)).as(method + " " + path).isTrue();
    FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri);
    try {
      return route.handle(req, path);
    } finally {
      req.release();
    }
  }

  private JsonNode body(AdminResponse r) throws Exception {
    return json.readTree(r.body());
  }

  private List<String> keys(String upstream) {
    return upstreams.get(upstream).endpoints().stream().map(Endpoint::key).toList();
  }

  @Test
  void createsRegistriesOnlyForUpstreamsWithLeases() {
    assertThat(service.registries().keySet()).containsExactly("leased", "mixed");
  }

  @Test
  void putGrantsALeaseAndTheEndpointJoinsRotation() throws Exception {
    AdminResponse r = call(HttpMethod.PUT, "/admin/upstreams/leased/endpoints/127.0.0.1:9000");

    assertThat(r.status()).isEqualTo(200);
    JsonNode b = body(r);
    assertThat(b.get("upstream").asText()).isEqualTo("leased");
    assertThat(b.get("endpoint").asText()).isEqualTo("127.0.0.1:9000");
    assertThat(b.get("ttl").asText()).isEqualTo("2s");
    assertThat(b.get("expiresInMillis").asLong()).isEqualTo(2000);
    assertThat(b.get("new").asBoolean()).isTrue();
    assertThat(keys("leased")).containsExactly("127.0.0.1:9000");
    assertThat(events).containsExactly("joined leased/127.0.0.1:9000");
  }

  @Test
  void renewalKeepsTheSameEndpointAndMovesTheExpiry() throws Exception {
    call(HttpMethod.PUT, "/admin/upstreams/leased/endpoints/127.0.0.1:9000");
    Endpoint first = upstreams.get("leased").endpoints().get(0);
    ticker.advance(Duration.ofMillis(1500));

    AdminResponse r = call(HttpMethod.PUT, "/admin/upstreams/leased/endpoints/127.0.0.1:9000?ttl=500ms");

    JsonNode b = body(r);
    assertThat(b.get("new").asBoolean()).isFalse();
    assertThat(b.get("ttl").asText()).isEqualTo("500ms");
    assertThat(b.get("expiresInMillis").asLong()).isEqualTo(500);
    assertThat(upstreams.get("leased").endpoints()).containsExactly(first);
    assertThat(events).containsExactly("joined leased/127.0.0.1:9000");
  }

  @Test
  void aLapsedLeaseLeavesRotationWhenSweptAndRenewingRegistersItAnew() throws Exception {
    call(HttpMethod.PUT, "/admin/upstreams/leased/endpoints/127.0.0.1:9000");
    ticker.advance(Duration.ofSeconds(2));

    assertThat(service.registry("leased").expire()).containsExactly("127.0.0.1:9000");
    assertThat(keys("leased")).isEmpty();

    AdminResponse r = call(HttpMethod.PUT, "/admin/upstreams/leased/endpoints/127.0.0.1:9000");
    assertThat(body(r).get("new").asBoolean()).isTrue();
    assertThat(keys("leased")).containsExactly("127.0.0.1:9000");
    assertThat(events)
        .containsExactly(
            "joined leased/127.0.0.1:9000", "left leased/127.0.0.1:9000", "joined leased/127.0.0.1:9000");
  }

  @Test
  void renewingALapsedButUnsweptLeaseReplacesTheEndpoint() throws Exception {
    call(HttpMethod.PUT, "/admin/upstreams/leased/endpoints/127.0.0.1:9000");
    Endpoint first = upstreams.get("leased").endpoints().get(0);
    ticker.advance(Duration.ofSeconds(3));

    AdminResponse r = call(HttpMethod.PUT, "/admin/upstreams/leased/endpoints/127.0.0.1:9000");

    assertThat(body(r).get("new").asBoolean()).isTrue();
    assertThat(upstreams.get("leased").endpoints()).hasSize(1).doesNotContain(first);
    assertThat(events)
        .containsExactly(
            "joined leased/127.0.0.1:9000", "left leased/127.0.0.1:9000", "joined leased/127.0.0.1:9000");
  }

  @Test
  void theSweeperExpiresLapsedLeasesOnItsOwn() throws Exception {
    CountDownLatch left = new CountDownLatch(1);
    service.addMembershipListener(
        new LeaseService.MembershipListener() {
          @Override
          public void onJoined(Upstream u, Endpoint e) {}

          @Override
          public void onLeft(Upstream u, Endpoint e) {
            left.countDown();
          }
        });
    service.start();
    call(HttpMethod.PUT, "/admin/upstreams/leased/endpoints/127.0.0.1:9000");
    ticker.advance(Duration.ofSeconds(2));

    assertThat(left.await(5, TimeUnit.SECONDS)).as("swept within a few sweep periods").isTrue();
    assertThat(keys("leased")).isEmpty();
  }

  @Test
  void deleteRemovesAtOnceAnd404sWhenUnknown() throws Exception {
    call(HttpMethod.PUT, "/admin/upstreams/leased/endpoints/127.0.0.1:9000");

    AdminResponse r = call(HttpMethod.DELETE, "/admin/upstreams/leased/endpoints/127.0.0.1:9000");
    assertThat(r.status()).isEqualTo(200);
    assertThat(body(r).get("removed").asBoolean()).isTrue();
    assertThat(keys("leased")).isEmpty();

    AdminResponse again = call(HttpMethod.DELETE, "/admin/upstreams/leased/endpoints/127.0.0.1:9000");
    assertThat(again.status()).isEqualTo(404);
    assertThat(body(again).get("error").asText()).isEqualTo("unknown_endpoint");
  }

  @Test
  void leasedEndpointsJoinStaticOnesWhichStay() {
    call(HttpMethod.PUT, "/admin/upstreams/mixed/endpoints/127.0.0.1:9001");
    call(HttpMethod.PUT, "/admin/upstreams/mixed/endpoints/127.0.0.1:7000"); // already static

    assertThat(keys("mixed")).containsExactly("127.0.0.1:7000", "127.0.0.1:9001");
    call(HttpMethod.DELETE, "/admin/upstreams/mixed/endpoints/127.0.0.1:7000");
    call(HttpMethod.DELETE, "/admin/upstreams/mixed/endpoints/127.0.0.1:9001");
    assertThat(keys("mixed")).containsExactly("127.0.0.1:7000");
  }

  @Test
  void rejectsUnknownUpstreamsUpstreamsWithoutLeasesBadEndpointsAndBadTtls() throws Exception {
    AdminResponse unknown = call(HttpMethod.PUT, "/admin/upstreams/nope/endpoints/127.0.0.1:9000");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(body(unknown).get("error").asText()).isEqualTo("unknown_upstream");

    AdminResponse noLeases = call(HttpMethod.PUT, "/admin/upstreams/fixed/endpoints/127.0.0.1:9000");
    assertThat(noLeases.status()).isEqualTo(404);
    assertThat(body(noLeases).get("error").asText()).isEqualTo("leases_not_enabled");

    AdminResponse badEndpoint = call(HttpMethod.PUT, "/admin/upstreams/leased/endpoints/127.0.0.1:0");
    assertThat(badEndpoint.status()).isEqualTo(400);
    assertThat(body(badEndpoint).get("error").asText()).isEqualTo("bad_endpoint");

    AdminResponse badTtl = call(HttpMethod.PUT, "/admin/upstreams/leased/endpoints/127.0.0.1:9000?ttl=0s");
    assertThat(badTtl.status()).isEqualTo(400);
    assertThat(body(badTtl).get("error").asText()).isEqualTo("bad_ttl");

    assertThat(keys("leased")).isEmpty();
    assertThat(events).isEmpty();
  }

  @Test
  void servesOnlyPutAndDeleteOnLeasePaths() {
    assertThat(route.matches(HttpMethod.GET, "/admin/upstreams/leased/endpoints/127.0.0.1:9000")).isFalse();
    assertThat(route.matches(HttpMethod.POST, "/admin/upstreams/leased/endpoints/127.0.0.1:9000")).isFalse();
    assertThat(route.matches(HttpMethod.PUT, "/admin/upstreams/leased")).isFalse();
    assertThat(route.matches(HttpMethod.PUT, "/admin/state")).isFalse();
  }

  @Test
  void sweepsEveryQuarterTtlBetween10And250Millis() {
    assertThat(LeaseService.sweepPeriod(Duration.ofSeconds(10))).isEqualTo(Duration.ofMillis(250));
    assertThat(LeaseService.sweepPeriod(Duration.ofMillis(400))).isEqualTo(Duration.ofMillis(100));
    assertThat(LeaseService.sweepPeriod(Duration.ofMillis(8))).isEqualTo(Duration.ofMillis(10));
  }
}
