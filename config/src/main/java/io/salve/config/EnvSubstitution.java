package io.salve.config;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Expands {@code ${NAME}} and {@code ${NAME:-default}} in one scalar. As in the shell, the default is
 * used when the variable is unset or empty; unlike the shell, an unset variable without default is an
 * error. A {@code $} not followed by <code>{</code> is kept as it is.
 */
final class EnvSubstitution {
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** The expanded text, or the problem that prevented expansion. */
  record Result(String value, String problem) {}

  private final Map<String, String> environment;

  EnvSubstitution(Map<String, String> environment) {
    this.environment = environment;
  }

  Result expand(String text) {
    int start = text.indexOf("${");
    if (start < 0) {
      return new Result(text, null);
    }
    StringBuilder out = new StringBuilder(text.length());
    int from = 0;
    while (start >= 0) {
      out.append(text, from, start);
      int end = text.indexOf('}', start + 2);
      if (end < 0) {
        return new Result(null, "unterminated '${' in " + text + " (expected: ${NAME} or ${NAME:-default})");
      }
      String reference = text.substring(start + 2, end);
      int colon = reference.indexOf(":-");
      String name = colon < 0 ? reference : reference.substring(0, colon);
      if (!NAME.matcher(name).matches()) {
        return new Result(null, "invalid variable reference '${" + reference
            + "}' (expected: ${NAME} or ${NAME:-default}, NAME made of letters, digits and _)");
      }
      String value = environment.get(name);
      if (colon >= 0 && (value == null || value.isEmpty())) {
        value = reference.substring(colon + 2);
      } else if (value == null) {
        return new Result(null, "environment variable " + name + " is not set"
            + " (expected: set it, or give a default as ${" + name + ":-default})");
      }
      out.append(value);
      from = end + 1;
      start = text.indexOf("${", from);
    }
    out.append(text, from, text.length());
    return new Result(out.toString(), null);
  }
}
