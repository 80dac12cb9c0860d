package io.salve.proxy.coord;

import static org.assertj.core.api.Assertions.assertThat;

import io.salve.config.HostPort;
import io.salve.proxy.util.FakeTicker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DiscoveredSetTest {
  private static final String P = "/salve/services/catalog/";
  private final FakeTicker ticker = new FakeTicker();
  private final DiscoveredSet set =
      new DiscoveredSet("catalog", "catalog", ticker, Clock.fixed(Instant.parse("2026-12-06T01:00:00Z"), ZoneOffset.UTC));

  private static String reg(String address) {
    return "{\"address\":\"" + address + "\",\"identity\":\"x\",\"registeredAt\":\"2026-12-06T00:00:00Z\"}";
  }

  private static Map.Entry<String, String> put(String id, String value) {
    return new AbstractMap.SimpleEntry<>(P + id, value);
  }

  private static Map.Entry<String, String> delete(String id) {
    return new AbstractMap.SimpleEntry<>(P + id, null);
  }

  @Test
  void beforeTheFirstReadItIsEmptyStaleAndSaysWhy() {
    ticker.advance(Duration.ofSeconds(3));
    assertThat(set.endpoints()).isEmpty();
    assertThat(set.emptyReason()).isEqualTo("waiting for the first read of etcd service 'catalog'");
    set.lost("UNAVAILABLE: io exception");
    assertThat(set.emptyReason()).contains("(UNAVAILABLE: io exception)");
    Map<String, Object> d = set.describe();
    assertThat(d).containsEntry("stale", true).containsEntry("staleSeconds", 3.0).containsEntry("lastSync", null);
  }

  @Test
  void aReadReplacesTheSetAndSkipsBadValues() {
    Map<String, String> kvs = new LinkedHashMap<>();
    kvs.put(P + "a", reg("127.0.0.1:7001"));
    kvs.put(P + "b", "not json");
    kvs.put(P + "c", "{\"address\":\"no-port\"}");
    kvs.put(P + "d", "[1,2]");
    kvs.put(P + "e", reg("127.0.0.1:7002"));
    kvs.put(P + "f", reg("127.0.0.1:7001")); // same address as a: one endpoint
    assertThat(set.replaceAll(kvs, 12)).isTrue();
    assertThat(set.endpoints()).containsExactly(new HostPort("127.0.0.1", 7001), new HostPort("127.0.0.1", 7002));
    assertThat(set.describe())
        .containsEntry("stale", false)
        .containsEntry("staleSeconds", 0.0)
        .containsEntry("revision", 12L)
        .containsEntry("lastSync", "2026-12-06T01:00:00Z")
        .containsEntry("endpoints", List.of("127.0.0.1:7001", "127.0.0.1:7002"));
    assertThat(set.emptyReason()).isNull();
    assertThat(set.replaceAll(kvs, 13)).as("the same set again").isFalse();
  }

  @Test
  void watchEventsAddReplaceAndRemove() {
    set.replaceAll(Map.of(P + "a", reg("127.0.0.1:7001")), 5);
    assertThat(set.apply(List.of(put("b", reg("127.0.0.1:7002"))), 6)).isTrue();
    assertThat(set.apply(List.of(put("a", reg("127.0.0.1:7003"))), 7)).as("a re-registered elsewhere").isTrue();
    assertThat(set.endpoints()).containsExactly(new HostPort("127.0.0.1", 7003), new HostPort("127.0.0.1", 7002));
    assertThat(set.apply(List.of(put("b", "garbage")), 8)).as("a bad value removes what the key said").isTrue();
    assertThat(set.endpoints()).containsExactly(new HostPort("127.0.0.1", 7003));
    assertThat(set.apply(List.of(delete("a"), delete("zz")), 9)).isTrue();
    assertThat(set.endpoints()).isEmpty();
    assertThat(set.emptyReason()).isEqualTo("etcd service 'catalog' has no live registration");
    assertThat(set.snapshot().revision()).isEqualTo(9);
  }

  @Test
  void losingEtcdKeepsTheSetAndCountsStalenessUntilTheNextRead() {
    set.replaceAll(Map.of(P + "a", reg("127.0.0.1:7001")), 5);
    ticker.advance(Duration.ofSeconds(2));
    set.confirmed(5);
    ticker.advance(Duration.ofMillis(1500));
    set.lost("the watch got no answer for 3s");
    assertThat(set.endpoints()).containsExactly(new HostPort("127.0.0.1", 7001));
    ticker.advance(Duration.ofMillis(2500));
    assertThat(set.staleSeconds()).isEqualTo(4.0);
    assertThat(set.describe())
        .containsEntry("stale", true)
        .containsEntry("staleSeconds", 4.0)
        .containsEntry("lastError", "the watch got no answer for 3s");

    // The reconciling read: what changed meanwhile replaces the old set whole.
    assertThat(set.replaceAll(Map.of(P + "b", reg("127.0.0.1:7002")), 20)).isTrue();
    assertThat(set.endpoints()).containsExactly(new HostPort("127.0.0.1", 7002));
    assertThat(set.describe()).containsEntry("stale", false).containsEntry("staleSeconds", 0.0).doesNotContainKey("lastError");
  }
}
