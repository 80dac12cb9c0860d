package io.salve.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Loads a salve YAML file into a validated {@link SalveConfig}.
 *
 * <p>Environment references {@code ${NAME}} and {@code ${NAME:-default}} are substituted before
 * binding; an unset variable without default is an error naming it. Every problem is collected and
 * reported at once with its {@code file:line:column}.
 */
public final class ConfigLoader {
  private final Map<String, String> environment;

  /** @param environment the variables available to {@code ${NAME}} references */
  public ConfigLoader(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  /** @return a loader that reads the process environment. */
  public static ConfigLoader withSystemEnvironment() {
    return new ConfigLoader(System.getenv());
  }

  /**
   * @param file a YAML file
   * @return the validated configuration
   * @throws ConfigException with every problem found, or {@linkplain ConfigException#fileUnreadable()
   *     the one reason} the file could not be read
   */
  public SalveConfig load(Path file) throws ConfigException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw ConfigException.unreadable(file.toString(), reason(e));
    }
    return parse(text, file.toString());
  }

  /** @return why a file could not be read, as a few lower-case words without the file name. */
  static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof CharacterCodingException) {
      return "not UTF-8 text";
    }
    String reason = e instanceof FileSystemException fse ? fse.getReason() : e.getMessage();
    if (reason == null || reason.isBlank()) {
      return e.getClass().getSimpleName();
    }
    return reason.substring(0, 1).toLowerCase(Locale.ROOT) + reason.substring(1);
  }

  /**
   * @param yaml the YAML text
   * @param fileName the name used in error positions
   * @return the validated configuration
   * @throws ConfigException with every problem found
   */
  public SalveConfig parse(String yaml, String fileName) throws ConfigException {
    Problems problems = new Problems(fileName);
    Node root = YamlComposer.compose(yaml, problems);
    if (root == null && problems.isEmpty()) {
      problems.add(new Mark(fileName, 0, 0, 0, new int[0], 0),
          "the file is empty (expected: a map with listeners and upstreams)");
    }
    SalveConfig config = null;
    if (problems.isEmpty()) {
      try {
        config = new ConfigBinder(new Nodes(problems, new EnvSubstitution(environment))).bind(root);
      } catch (RuntimeException e) {
        // Binding reads past bad values by design; a failure after problems were found is their
        // consequence, and the problems are what the user needs to see.
        if (problems.isEmpty()) {
          throw e;
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems.inFileOrder());
    }
    return config;
  }
}
