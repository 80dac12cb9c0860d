package io.salve.config;

import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/** Checks that a value names a defined upstream, suggesting the closest name when it does not. */
final class UpstreamReferences {
  private final Nodes nodes;
  private final Set<String> names;

  UpstreamReferences(Nodes nodes, Set<String> names) {
    this.nodes = nodes;
    this.names = names;
  }

  /** @return the upstream name, or null after reporting a name that is not defined. */
  String check(Node node, String path) {
    String name = nodes.text(node, path, "the name of an upstream");
    if (name == null || names.contains(name)) {
      return name;
    }
    String expected;
    if (names.isEmpty()) {
      expected = "the name of an upstream, but none is defined";
    } else {
      String suggestion = DidYouMean.suggest(name, names);
      expected = "one of the upstreams " + String.join(", ", names)
          + (suggestion == null ? "" : "; did you mean '" + suggestion + "'?");
    }
    nodes.invalid(node, path, expected);
    return null;
  }
}
