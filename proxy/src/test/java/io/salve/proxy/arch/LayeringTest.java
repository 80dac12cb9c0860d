package io.salve.proxy.arch;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Salve's main classes (proxy/ and config/) obey every rule in {@link LayeringRules}. The first run,
 * before issue 15's moves, failed 5 of 6 rules with 8 package cycles (server/forward, upstream/server,
 * upstream/health, admin through all three); docs/architecture.md quotes that report and the moves
 * that fixed it.
 */
class LayeringTest {

  private static JavaClasses classes;

  @BeforeAll
  static void importMainClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.salve.proxy", "io.salve.config");
  }

  @TestFactory
  Stream<DynamicTest> salveObeysTheLayering() {
    return new LayeringRules("io.salve.proxy")
        .all().stream()
        .map(rule -> DynamicTest.dynamicTest(rule.getDescription(), () -> rule.check(classes)));
  }

  /**
   * Prometheus names ({@code salve_*}) are written only in metrics/. Micrometer names meters with dots
   * ({@code salve.load.state}), and the rule on {@code io.micrometer} keeps those in metrics/ too; this
   * catches a Prometheus name pasted as a string anywhere else, which no bytecode rule can see.
   */
  @Test
  void prometheusNamesOnlyInMetrics() throws IOException {
    Path main = Path.of("src/main/java/io/salve/proxy");
    List<String> offenders;
    try (Stream<Path> files = Files.walk(main)) {
      offenders =
          files
              .filter(f -> f.toString().endsWith(".java"))
              .filter(f -> !main.relativize(f).startsWith("metrics"))
              .filter(f -> read(f).contains("\"salve_"))
              .map(f -> main.relativize(f).toString())
              .toList();
    }
    assertThat(offenders).as("sources outside metrics/ with a \"salve_ string").isEmpty();
  }

  private static String read(Path f) {
    try {
      return Files.readString(f);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
