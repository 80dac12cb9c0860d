package io.salve.config;

import java.util.List;

/** Thrown when a configuration is invalid; carries every problem found, not just the first. */
public final class ConfigException extends Exception {
  private final List<ConfigError> errors;

  public ConfigException(List<ConfigError> errors) {
    super(errors.size() + " configuration error(s)", null, false, false);
    this.errors = List.copyOf(errors);
  }

  /** @return every problem, in file order. */
  public List<ConfigError> errors() {
    return errors;
  }
}
