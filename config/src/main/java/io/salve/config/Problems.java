package io.salve.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.Node;

/** Collects every problem of one file with its 1-based position; identical reports are kept once. */
final class Problems {
  private final String file;
  private final Set<ConfigError> errors = new LinkedHashSet<>();

  Problems(String file) {
    this.file = file;
  }

  void add(Node node, String message) {
    add(node.getStartMark(), message);
  }

  /** @param mark SnakeYAML's 0-based position, or null when there is none */
  void add(Mark mark, String message) {
    int line = mark == null ? 0 : mark.getLine() + 1;
    int column = mark == null ? 0 : mark.getColumn() + 1;
    errors.add(new ConfigError(file, line, column, message));
  }

  boolean isEmpty() {
    return errors.isEmpty();
  }

  /** @return every problem in file order (by line, then column; otherwise as found). */
  List<ConfigError> inFileOrder() {
    List<ConfigError> sorted = new ArrayList<>(errors);
    sorted.sort(Comparator.comparingInt(ConfigError::line).thenComparingInt(ConfigError::column));
    return sorted;
  }
}
