package io.salve.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.salve.config.ConfigLoader;
import io.salve.config.HostPort;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DynamicEndpointsTest {
  private static final String YAML =
      """
      listeners:
        - name: egress
          address: 127.0.0.1:0
          routes:
            - match: { pathPrefix: / }
              upstream: mixed
      upstreams:
        mixed:
          endpoints: [127.0.0.1:7000]
          leases: {}
      """;

  private Upstreams upstreams;
  private Upstream u;

  @BeforeEach
  void setUp() throws Exception {
    upstreams = new Upstreams(new ConfigLoader(Map.of()).parse(YAML, "test.yaml"), 1);
    u = upstreams.get("mixed");
  }

  @AfterEach
  void tearDown() {
    upstreams.close();
  }

  private static HostPort hp(int port) {
    return new HostPort("127.0.0.1", port);
  }

  private List<String> keys() {
    return u.endpoints().stream().map(Endpoint::key).toList();
  }

  @Test
  void sourcesAreMergedAndOneSourceReplacingItsSetLeavesTheOthersAlone() {
    EndpointChange leased = u.setDynamicEndpoints("leases", List.of(hp(7001)));
    assertThat(leased.joined()).extracting(Endpoint::key).containsExactly("127.0.0.1:7001");
    EndpointChange found = u.setDynamicEndpoints("etcd", List.of(hp(7002), hp(7003)));
    assertThat(found.joined()).extracting(Endpoint::key).containsExactly("127.0.0.1:7002", "127.0.0.1:7003");
    assertThat(keys()).containsExactly("127.0.0.1:7000", "127.0.0.1:7001", "127.0.0.1:7002", "127.0.0.1:7003");

    Endpoint kept = u.endpoints().get(2);
    EndpointChange shrunk = u.setDynamicEndpoints("etcd", List.of(hp(7002)));
    assertThat(shrunk.joined()).isEmpty();
    assertThat(shrunk.left()).extracting(Endpoint::key).containsExactly("127.0.0.1:7003");
    assertThat(u.endpoints().get(2)).as("an endpoint that stays keeps its identity").isSameAs(kept);
    assertThat(keys()).containsExactly("127.0.0.1:7000", "127.0.0.1:7001", "127.0.0.1:7002");

    EndpointChange noLeases = u.setDynamicEndpoints("leases", List.of());
    assertThat(noLeases.left()).extracting(Endpoint::key).containsExactly("127.0.0.1:7001");
    assertThat(keys()).containsExactly("127.0.0.1:7000", "127.0.0.1:7002");
  }

  @Test
  void anAddressFromTwoSourcesIsOneEndpointThatStaysUntilBothDropIt() {
    u.setDynamicEndpoints("leases", List.of(hp(7001)));
    Endpoint e = u.endpoints().get(1);
    EndpointChange both = u.setDynamicEndpoints("etcd", List.of(hp(7001), hp(7000)));
    assertThat(both.isEmpty()).as("already there: static 7000 and leased 7001").isTrue();
    assertThat(keys()).containsExactly("127.0.0.1:7000", "127.0.0.1:7001");

    assertThat(u.setDynamicEndpoints("leases", List.of()).isEmpty()).isTrue();
    assertThat(u.endpoints().get(1)).isSameAs(e);
    assertThat(u.setDynamicEndpoints("etcd", List.of()).left()).containsExactly(e);
    assertThat(keys()).containsExactly("127.0.0.1:7000");
  }

  @Test
  void explainsAnEmptyUpstreamByItsSources() throws Exception {
    Upstreams onlyDiscovered =
        new Upstreams(
            new ConfigLoader(Map.of())
                .parse(
                    """
                    listeners:
                      - name: egress
                        address: 127.0.0.1:0
                        routes:
                          - match: { pathPrefix: / }
                            upstream: found
                    upstreams:
                      found:
                        leases: {}
                    """,
                    "test.yaml"),
            1);
    try {
      Upstream found = onlyDiscovered.get("found");
      assertThat(found.emptyReason()).isNull();
      found.addSource(new FixedReasonSource("waiting for the first sync"));
      assertThat(found.emptyReason()).isEqualTo("waiting for the first sync");
      found.setDynamicEndpoints("x", List.of(hp(7005)));
      assertThat(found.emptyReason()).as("it has an endpoint now").isNull();
    } finally {
      onlyDiscovered.close();
    }
  }

  private record FixedReasonSource(String reason) implements EndpointSource {
    @Override
    public String name() {
      return "x";
    }

    @Override
    public void start(Sink sink) {}

    @Override
    public String emptyReason() {
      return reason;
    }

    @Override
    public int size() {
      return 0;
    }

    @Override
    public double staleSeconds() {
      return 0;
    }

    @Override
    public Map<String, Object> describe() {
      return Map.of();
    }

    @Override
    public void close() {}
  }
}
