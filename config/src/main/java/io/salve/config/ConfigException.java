package io.salve.config;

import java.util.List;

/** Thrown when a configuration is invalid; carries every problem found, not just the first. */
public final class ConfigException extends Exception {
  private final List<ConfigError> errors;
  private final boolean unreadable;

  public ConfigException(List<ConfigError> errors) {
    this(errors, false);
  }

  private ConfigException(List<ConfigError> errors, boolean unreadable) {
    super(errors.size() + " configuration error(s)", null, false, false);
    this.errors = List.copyOf(errors);
    this.unreadable = unreadable;
  }

  /**
   * @param reason why, in a few lower-case words: {@code no such file}, {@code permission denied}
   * @return the exception for a file that could not be read at all
   */
  static ConfigException unreadable(String file, String reason) {
    return new ConfigException(List.of(new ConfigError(file, 0, 0, reason)), true);
  }

  /** @return every problem, in file order. */
  public List<ConfigError> errors() {
    return errors;
  }

  /**
   * @return whether the file could not be read at all; then {@link #errors()} holds one error whose
   *     message is the reason
   */
  public boolean fileUnreadable() {
    return unreadable;
  }
}
