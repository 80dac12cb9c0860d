package io.salve.proxy.arch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering rules can fail: run on {@code io.salve.archfixture} (test classes with a cycle, a
 * Netty channel in a decision package, an event executor in a shed decision, an admin route and HTTP
 * types in health, a meter outside metrics, a dependency on the composition root and a raw clock read
 * in forward) each rule reports its violation. Without this a rule that matched nothing (a typo in a
 * package name) would pass forever.
 */
class LayeringFixtureTest {
  private static final LayeringRules RULES = new LayeringRules("io.salve.archfixture");
  private static JavaClasses fixture;

  @BeforeAll
  static void importFixture() {
    fixture = new ClassFileImporter().importPackages("io.salve.archfixture");
  }

  @Test
  void cycleBetweenServerAndForward_fails() {
    assertFails(RULES.noPackageCycles(), "Cycle detected", "server", "forward");
  }

  @Test
  void dependencyOnCompositionRoot_fails() {
    assertFails(RULES.nothingImportsTheCompositionRoot(), "FixtureReceiver", "FixtureMain");
  }

  @Test
  void nettyInADecisionPackage_fails() {
    assertFails(RULES.decisionsImportNoNetty(), "FixtureBreaker", "io.netty.channel.Channel");
  }

  @Test
  void nettyInAShedDecision_fails() {
    assertFails(RULES.shedDecisionsImportNoNetty(), "FixtureLimiter", "EventExecutor");
  }

  @Test
  void channelOutsideTheIoPackages_fails() {
    assertFails(RULES.onlyIoPackagesTouchNettyChannels(), "FixtureBreaker", "io.netty.channel.Channel");
  }

  @Test
  void meterOutsideMetrics_fails() {
    assertFails(RULES.meterRegistryOnlyInMetrics(), "FixtureHealthRoute", "MeterRegistry");
  }

  @Test
  void adminRouteInHealth_fails() {
    assertFails(RULES.concernsDoNotImportAdmin(), "FixtureHealthRoute", "FixtureRoute");
  }

  @Test
  void httpTypesInHealth_fails() {
    assertFails(RULES.concernsSpeakNoHttp(), "FixtureHealthRoute", "HttpMethod");
  }

  @Test
  void rawClockInForward_fails() {
    assertFails(RULES.forwardingReadsNoRawClockOrRandom(), "FixtureReceiver", "nanoTime");
  }

  @Test
  void everyRuleIsExercisedByTheFixture() {
    // One failing case above per rule: a new rule needs a new case (and a new fixture class).
    assertThat(RULES.all()).hasSize(9);
  }

  private static void assertFails(ArchRule rule, String... mentions) {
    assertThatThrownBy(() -> rule.check(fixture))
        .isInstanceOf(AssertionError.class)
        .hasMessageContainingAll(mentions);
  }
}
