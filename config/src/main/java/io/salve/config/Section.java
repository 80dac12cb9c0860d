package io.salve.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * One YAML mapping being read, with its key path. Duplicate keys, and keys outside the allowed set,
 * are reported when it is created; the typed getters return the default for an absent key (or a
 * {@code null}/empty value) and after reporting a bad one.
 */
final class Section {
  private final Nodes nodes;
  private final MappingNode mapping;
  private final String path;
  private final List<String> keys;
  private final Map<String, NodeTuple> entries = new LinkedHashMap<>();

  /**
   * @param mapping the map, or null for an empty section standing in for a value of the wrong type
   * @param keys the keys allowed here, or null to allow any (a map of user-chosen names)
   */
  Section(Nodes nodes, MappingNode mapping, String path, List<String> keys) {
    this.nodes = nodes;
    this.mapping = mapping;
    this.path = path;
    this.keys = keys;
    if (mapping != null) {
      mapping.getValue().forEach(this::accept);
    }
  }

  private void accept(NodeTuple tuple) {
    Node keyNode = tuple.getKeyNode();
    if (!(keyNode instanceof ScalarNode scalar)) {
      nodes.invalid(keyNode, path.isEmpty() ? "key" : path + " key", "a plain name");
      return;
    }
    String key = scalar.getValue();
    NodeTuple first = entries.get(key);
    if (first != null) {
      nodes.report(keyNode, "duplicate key '" + key + "' " + where() + " (first at line "
          + (first.getKeyNode().getStartMark().getLine() + 1) + ")");
    } else if (keys != null && !keys.contains(key)) {
      String suggestion = DidYouMean.suggest(key, keys);
      nodes.report(keyNode, "unknown key '" + key + "' " + where() + (suggestion != null
          ? " (did you mean '" + suggestion + "'?)"
          : " (expected: one of " + String.join(", ", keys) + ")"));
    } else {
      entries.put(key, tuple);
    }
  }

  private String where() {
    return path.isEmpty() ? "at the top level" : "in " + path;
  }

  /** @return the map node, or null when this section stands in for a value of the wrong type. */
  MappingNode node() {
    return mapping;
  }

  /** @return the path of a key in this section, e.g. {@code upstreams.orders.endpoints}. */
  String path(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** @return the value of an allowed key, or null when absent or an explicit YAML null. */
  Node get(String key) {
    if (keys != null && !keys.contains(key)) {
      throw new IllegalArgumentException("key not declared for " + path + ": " + key);
    }
    NodeTuple tuple = entries.get(key);
    return tuple == null || Nodes.isNull(tuple.getValueNode()) ? null : tuple.getValueNode();
  }

  boolean has(String key) {
    return get(key) != null;
  }

  /** @return every accepted entry, in file order (for maps of user-chosen names). */
  List<NodeTuple> entries() {
    return new ArrayList<>(entries.values());
  }

  /** Reports that a required key is absent; nothing when this section stands in for a bad value. */
  void missing(String key, String expected) {
    if (mapping != null) {
      nodes.report(mapping, path(key) + ": missing (expected: " + expected + ")");
    }
  }

  /** @return the converted value, or {@code fallback} when absent or bad. */
  <T> T value(String key, T fallback, Nodes.Converter<T> converter) {
    Node node = get(key);
    if (node == null) {
      return fallback;
    }
    T value = converter.convert(node, path(key));
    return value == null ? fallback : value;
  }

  /** @return the converted value; reports a missing key and returns null when absent or bad. */
  <T> T required(String key, String expected, Nodes.Converter<T> converter) {
    if (!has(key)) {
      missing(key, expected);
      return null;
    }
    return value(key, null, converter);
  }

  /** @return the nested section, or null when absent. */
  Section section(String key, String expected, List<String> sectionKeys) {
    Node node = get(key);
    return node == null ? null : nodes.section(node, path(key), expected, sectionKeys);
  }

  /** @return the items; a missing key, a value that is not a list and an empty list are reported. */
  List<Node> nonEmptyList(String key, String expected) {
    Node node = get(key);
    if (node == null) {
      missing(key, expected);
      return List.of();
    }
    List<Node> items = nodes.list(node, path(key), expected);
    if (items.isEmpty() && node instanceof SequenceNode) {
      nodes.invalid(node, path(key), expected);
    }
    return items;
  }

  /** @return the list items, or null when absent. */
  List<Node> list(String key, String expected) {
    Node node = get(key);
    return node == null ? null : nodes.list(node, path(key), expected);
  }

  /**
   * Reports when {@code low} exceeds {@code high}: at the low key when it is written here, otherwise at
   * the high key (one of them is, or both are defaults that are in order).
   */
  <T extends Comparable<T>> void requireOrdered(
      String lowKey, T low, String highKey, T high, Function<T, String> format) {
    if (low.compareTo(high) <= 0) {
      return;
    }
    if (has(lowKey)) {
      nodes.invalid(get(lowKey), path(lowKey), "at most " + highKey + ", which is " + format.apply(high));
    } else {
      nodes.invalid(get(highKey), path(highKey), "at least " + lowKey + ", which is " + format.apply(low));
    }
  }

  /** @return a non-empty string; reports it missing or empty. */
  String requiredString(String key, String expected) {
    return required(key, expected, (n, p) -> nodes.text(n, p, expected, t -> !t.isEmpty()));
  }

  Duration duration(String key, Duration fallback, Duration min) {
    return value(key, fallback, (n, p) -> nodes.duration(n, p, min));
  }

  long size(String key, long fallback, long min, long max) {
    return value(key, fallback, (n, p) -> nodes.size(n, p, min, max));
  }

  Integer integer(String key, Integer fallback, int min, int max) {
    return value(key, fallback, (n, p) -> nodes.integer(n, p, min, max));
  }

  Double fraction(String key, Double fallback) {
    return value(key, fallback, nodes::fraction);
  }

  boolean bool(String key, boolean fallback) {
    return value(key, fallback, nodes::bool);
  }

  HostPort hostPort(String key, HostPort fallback) {
    return value(key, fallback, nodes::hostPort);
  }

  <E> E choice(String key, E fallback, Map<String, E> choices) {
    return value(key, fallback, (n, p) -> nodes.choice(n, p, choices));
  }
}
