package io.salve.proxy.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import java.util.stream.Stream;

/** Salve's main classes (proxy/ and config/) obey every rule in {@link LayeringRules}. */
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
  @Disabled("measured: 5 of 6 rules fail today (8 package cycles); enabled once the moves land")
  Stream<DynamicTest> salveObeysTheLayering() {
    return new LayeringRules("io.salve.proxy")
        .all().stream()
        .map(rule -> DynamicTest.dynamicTest(rule.getDescription(), () -> rule.check(classes)));
  }
}
