package io.salve.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;

/** Loads YAML text in tests and renders errors as {@code line:column: message}. */
final class ConfigTesting {
  static final String FILE = "salve.yaml";

  private ConfigTesting() {}

  static SalveConfig load(String yaml) {
    return load(yaml, Map.of());
  }

  static SalveConfig load(String yaml, Map<String, String> env) {
    try {
      return new ConfigLoader(env).parse(yaml, FILE);
    } catch (ConfigException e) {
      throw new AssertionError("expected no errors, got " + render(e.errors()));
    }
  }

  /** @return every error as {@code line:column: message}, after checking each is one clean line. */
  static List<String> errors(String yaml) {
    return errors(yaml, Map.of());
  }

  static List<String> errors(String yaml, Map<String, String> env) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> new ConfigLoader(env).parse(yaml, FILE));
    assertThat(e).as("a ConfigException").isNotNull();
    assertThat(e.getStackTrace()).as("user errors carry no stack trace").isEmpty();
    assertThat(e.getCause()).isNull();
    for (ConfigError error : e.errors()) {
      assertThat(error.file()).isEqualTo(FILE);
      assertThat(error.line()).as("1-based line of %s", error).isPositive();
      assertThat(error.column()).as("1-based column of %s", error).isPositive();
      assertThat(error.message()).doesNotContain("\n", "Exception", "\tat ", "org.yaml");
    }
    return render(e.errors());
  }

  private static List<String> render(List<ConfigError> errors) {
    return errors.stream().map(e -> e.line() + ":" + e.column() + ": " + e.message()).toList();
  }
}
