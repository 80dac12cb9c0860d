package io.salve.proxy.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.lang.ArchRule;
import java.util.List;

/**
 * The layering of {@code proxy/}, as ArchUnit rules over a root package, so the same rules run on salve
 * ({@code io.salve.proxy}) and on a deliberately bad fixture ({@code io.salve.archfixture}) that must fail
 * them. docs/architecture.md explains each package; this class is what keeps that page true.
 */
final class LayeringRules {

  private final String root;

  LayeringRules(String root) {
    this.root = root;
  }

  /** Every rule, in the order a reader meets them in docs/architecture.md. */
  List<ArchRule> all() {
    return List.of(
        noPackageCycles(),
        nothingImportsTheCompositionRoot(),
        decisionsImportNoNetty(),
        onlyIoPackagesTouchNettyChannels(),
        meterRegistryOnlyInMetrics(),
        concernsDoNotImportAdmin());
  }

  /** The sub-packages of the root (server, forward, ...) form a directed acyclic graph. */
  ArchRule noPackageCycles() {
    return slices()
        .matching(root + ".(*)..")
        .namingSlices("$1")
        .should()
        .beFreeOfCycles()
        .because("a cycle means neither package can be understood, tested or replaced alone");
  }

  /** The root package (Salve, Main, Reconfiguration, ...) wires everything; nothing depends on it. */
  ArchRule nothingImportsTheCompositionRoot() {
    return noClasses()
        .that()
        .resideInAPackage(root + ".*..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage(root)
        .because("the root package is the composition root: it may import everything, nothing imports it");
  }

  /** Decisions are plain objects that a unit test drives with a fake ticker, without Netty. */
  ArchRule decisionsImportNoNetty() {
    return noClasses()
        .that()
        .resideInAnyPackage(
            "io.salve.config..",
            root + ".route..",
            root + ".resilience..",
            root + ".util..",
            root + ".reload..",
            root + ".metrics..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.netty..")
        .because("decisions and configuration must be testable without an event loop");
  }

  /**
   * Channels, pipelines and handlers belong to the packages that do I/O. health/ is the one exception
   * outside them: its probers open their own connections to endpoints (a TCP or HTTP probe is I/O).
   * shed/ may use an event executor (the loop-delay probe schedules on it) but no channel.
   */
  ArchRule onlyIoPackagesTouchNettyChannels() {
    return noClasses()
        .that()
        .resideInAPackage(root + "..")
        .and()
        .resideOutsideOfPackages(
            root,
            root + ".transport..",
            root + ".server..",
            root + ".forward..",
            root + ".upstream..",
            root + ".admin..",
            root + ".codec..",
            root + ".health.probe..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.netty.channel..", "io.netty.bootstrap..")
        .because("only server, forward, upstream, admin, codec, transport and health probers do I/O");
  }

  /** Meter names and registries live in metrics/; every other concern reports through a listener. */
  ArchRule meterRegistryOnlyInMetrics() {
    return noClasses()
        .that()
        .resideInAPackage(root + "..")
        .and()
        .resideOutsideOfPackages(root, root + ".metrics..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.micrometer..")
        .because("meter names (salve_*) are chosen in one place; concerns publish listener events");
  }

  /** health, shed and coord expose plain Java APIs; admin/ turns them into HTTP routes. */
  ArchRule concernsDoNotImportAdmin() {
    return noClasses()
        .that()
        .resideInAnyPackage(root + ".health..", root + ".shed..", root + ".coord..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(root + ".admin..", "io.netty.handler.codec.http..")
        .because("admin parses requests and writes answers; the concerns behind it know no HTTP");
  }
}
