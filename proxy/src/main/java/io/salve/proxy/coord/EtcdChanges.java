package io.salve.proxy.coord;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * jetcd's read and watch responses in the plain form {@link DiscoveredSet} takes (UTF-8 keys and
 * values, a {@code null} value for a delete), so the set stays free of jetcd types and testable
 * with plain maps.
 */
final class EtcdChanges {
  private EtcdChanges() {}

  /** @return every key and value of a prefix read, in etcd's order. */
  static Map<String, String> values(GetResponse read) {
    Map<String, String> values = new LinkedHashMap<>();
    for (KeyValue kv : read.getKvs()) {
      values.put(text(kv.getKey()), text(kv.getValue()));
    }
    return values;
  }

  /** @return the puts (key, value) and deletes (key, null) of one watch response, in order. */
  static List<Map.Entry<String, String>> events(WatchResponse resp) {
    List<Map.Entry<String, String>> events = new ArrayList<>();
    for (WatchEvent e : resp.getEvents()) {
      String key = text(e.getKeyValue().getKey());
      switch (e.getEventType()) {
        case PUT -> events.add(new AbstractMap.SimpleEntry<>(key, text(e.getKeyValue().getValue())));
        case DELETE -> events.add(new AbstractMap.SimpleEntry<>(key, null));
        default -> {}
      }
    }
    return events;
  }

  /**
   * @return the revision the set is at once {@code resp} is applied: the header's, or a later event's
   *     mod revision should the header lag behind it
   */
  static long revision(WatchResponse resp) {
    long revision = resp.getHeader().getRevision();
    for (WatchEvent e : resp.getEvents()) {
      revision = Math.max(revision, e.getKeyValue().getModRevision());
    }
    return revision;
  }

  private static String text(ByteSequence b) {
    return b.toString(StandardCharsets.UTF_8);
  }
}
