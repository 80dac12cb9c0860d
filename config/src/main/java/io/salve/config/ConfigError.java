package io.salve.config;

/**
 * One problem found in a configuration file.
 *
 * @param file the file name as given
 * @param line 1-based line, or 0 when the problem is the file as a whole (it cannot be read)
 * @param column 1-based column, or 0 when unknown
 * @param message what is wrong, in the form "name: value (expected: ...)" where it fits
 */
public record ConfigError(String file, int line, int column, String message) {
  /** @return {@code FILE:LINE:COLUMN: message}, or {@code FILE: message} for the file as a whole. */
  @Override
  public String toString() {
    return line == 0 ? file + ": " + message : file + ":" + line + ":" + column + ": " + message;
  }
}
