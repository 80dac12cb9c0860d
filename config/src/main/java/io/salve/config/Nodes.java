package io.salve.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads typed values out of YAML nodes. Scalars have environment references expanded first. A bad
 * value is reported at its node as {@code path: value (expected: ...)} and read as null.
 */
final class Nodes {
  /** Minimum for durations where zero is meaningful. */
  static final Duration ANY = Duration.ZERO;
  /** Minimum for timeouts, intervals and the like, where zero makes no sense. */
  static final Duration POSITIVE = Duration.ofMillis(1);

  private static final Pattern INTEGER = Pattern.compile("[-+]?\\d{1,18}");
  private static final Pattern DECIMAL = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");
  private static final int MAX_SHOWN = 80;

  /** Converts a non-null node at a path, or reports and returns null. */
  @FunctionalInterface
  interface Converter<T> {
    T convert(Node node, String path);
  }

  private final Problems problems;
  private final EnvSubstitution environment;

  Nodes(Problems problems, EnvSubstitution environment) {
    this.problems = problems;
    this.environment = environment;
  }

  /** Reports {@code path: <the node's value> (expected: expected)} at the node. */
  void invalid(Node node, String path, String expected) {
    String where = path.isEmpty() ? "the top level" : path;
    problems.add(node, where + ": " + show(node) + " (expected: " + expected + ")");
  }

  /** Reports a free-form message at the node. */
  void report(Node node, String message) {
    problems.add(node, message);
  }

  /** @return whether the node is absent or an explicit YAML null ({@code key:}, {@code ~}, {@code null}). */
  static boolean isNull(Node node) {
    return node == null || (node instanceof ScalarNode && node.getTag().equals(Tag.NULL));
  }

  /** @return whether the node is an empty list or an empty map. */
  static boolean isEmptyCollection(Node node) {
    return (node instanceof SequenceNode sequence && sequence.getValue().isEmpty())
        || (node instanceof MappingNode mapping && mapping.getValue().isEmpty());
  }

  /** @return a map node as a section accepting {@code keys} (null: any key), or an empty section. */
  Section section(Node node, String path, String expected, List<String> keys) {
    if (node instanceof MappingNode mapping) {
      return new Section(this, mapping, path, keys);
    }
    invalid(node, path, expected);
    return new Section(this, null, path, keys);
  }

  /** @return the items of a list node, or none after reporting. */
  List<Node> list(Node node, String path, String expected) {
    if (node instanceof SequenceNode sequence) {
      return sequence.getValue();
    }
    invalid(node, path, expected);
    return List.of();
  }

  /** @return the scalar's text with environment references expanded, or null after reporting. */
  String text(Node node, String path, String expected) {
    if (!(node instanceof ScalarNode scalar)) {
      invalid(node, path, expected);
      return null;
    }
    EnvSubstitution.Result result = environment.expand(scalar.getValue());
    if (result.problem() != null) {
      problems.add(node, path + ": " + result.problem());
    }
    return result.value();
  }

  /** @return the scalar's expanded, trimmed text when it passes {@code valid}, else null after reporting. */
  String text(Node node, String path, String expected, Predicate<String> valid) {
    return check(node, path, expected, Function.identity(), valid);
  }

  /** @return a URL path, which starts with {@code /}. */
  String path(Node node, String path) {
    return text(node, path, "a path starting with /", t -> t.startsWith("/"));
  }

  Duration duration(Node node, String path, Duration min) {
    String expected = min.isZero()
        ? "a duration like 0s, 250ms, 5s, 1m"
        : min.equals(POSITIVE)
            ? "a positive duration like 250ms, 5s, 1m"
            : "a duration of at least " + Durations.format(min) + " like 10s, 1m";
    return check(node, path, expected, Durations::parse, d -> d.compareTo(min) >= 0);
  }

  /** @param max at most {@link Integer#MAX_VALUE} for sizes kept in an int */
  Long size(Node node, String path, long min, long max) {
    String expected = (min > 0 ? "a positive size" : "a size")
        + (max <= Integer.MAX_VALUE ? " below 2GiB" : "")
        + " like 512B, 64KiB, 1MiB";
    return check(node, path, expected, Sizes::parse, s -> s >= min && s <= max);
  }

  Integer integer(Node node, String path, int min, int max) {
    String expected = max == Integer.MAX_VALUE
        ? "an integer >= " + min
        : "an integer from " + min + " to " + max;
    Long value = check(node, path, expected, t -> INTEGER.matcher(t).matches() ? Long.valueOf(t) : null,
        v -> v >= min && v <= max);
    return value == null ? null : value.intValue();
  }

  Double decimal(Node node, String path, double min, double max, String expected) {
    return check(node, path, expected, t -> DECIMAL.matcher(t).matches() ? Double.valueOf(t) : null,
        v -> v >= min && v <= max);
  }

  Double fraction(Node node, String path) {
    return decimal(node, path, 0.0, 1.0, "a fraction from 0.0 to 1.0");
  }

  Boolean bool(Node node, String path) {
    return parse(node, path, "true or false",
        t -> t.equalsIgnoreCase("true") ? Boolean.TRUE : t.equalsIgnoreCase("false") ? Boolean.FALSE : null);
  }

  HostPort hostPort(Node node, String path) {
    return parse(node, path, "host:port or [IPv6]:port, port 0..65535", Addresses::hostPort);
  }

  /** @return an address to connect to, so port 0 is refused. */
  HostPort remoteAddress(Node node, String path) {
    return parse(node, path, "host:port or [IPv6]:port, port 1..65535", t -> {
      HostPort address = Addresses.hostPort(t);
      return address == null || address.port() == 0 ? null : address;
    });
  }

  /** @return the choice named by the node, ignoring case; bad names are reported with the list. */
  <E> E choice(Node node, String path, Map<String, E> choices) {
    String expected = "one of " + String.join(", ", choices.keySet());
    return parse(node, path, expected, t -> choices.get(t.toLowerCase(Locale.ROOT)));
  }

  /** @return the YAML spellings of an enum's constants, in declaration order. */
  static <E extends Enum<E>> Map<String, E> choices(E[] values, Function<E, String> spelling) {
    Map<String, E> map = new LinkedHashMap<>();
    Arrays.stream(values).forEach(v -> map.put(spelling.apply(v), v));
    return map;
  }

  /** @return the scalar parsed by {@code parse} (null: not valid), or null after reporting. */
  <T> T parse(Node node, String path, String expected, Function<String, T> parse) {
    return check(node, path, expected, parse, v -> true);
  }

  private <T> T check(Node node, String path, String expected, Function<String, T> parse, Predicate<T> valid) {
    String text = text(node, path, expected);
    if (text == null) {
      return null;
    }
    T value = parse.apply(text.trim());
    if (value == null || !valid.test(value)) {
      problems.add(node, path + ": " + show(node, text) + " (expected: " + expected + ")");
      return null;
    }
    return value;
  }

  private String show(Node node) {
    if (node instanceof ScalarNode scalar) {
      return show(node, environment.expand(scalar.getValue()).value());
    }
    if (node instanceof MappingNode mapping) {
      return mapping.getValue().isEmpty() ? "{}" : "a map";
    }
    return ((SequenceNode) node).getValue().isEmpty() ? "[]" : "a list";
  }

  /** @param expanded the scalar's text after substitution, or null when it could not be expanded */
  private static String show(Node node, String expanded) {
    String raw = ((ScalarNode) node).getValue();
    String shown = expanded == null || expanded.equals(raw) ? raw : expanded + " (from " + raw + ")";
    shown = shown.replaceAll("\\R", "\\\\n");
    if (shown.length() > MAX_SHOWN) {
      shown = shown.substring(0, MAX_SHOWN) + "...";
    }
    return shown.isEmpty() ? "\"\"" : shown;
  }
}
