package io.salve.proxy.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchRule;
import io.netty.util.concurrent.EventExecutorGroup;
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
        shedDecisionsImportNoNetty(),
        onlyIoPackagesTouchNettyChannels(),
        meterRegistryOnlyInMetrics(),
        concernsDoNotImportAdmin(),
        concernsSpeakNoHttp(),
        forwardingReadsNoRawClockOrRandom());
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
            root + ".reload..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.netty..")
        .because("decisions and configuration must be testable without an event loop");
  }

  /**
   * shed/'s decisions (state machine, limiters, windows, signals) import no Netty. Two named classes
   * may use an event executor, and only as a scheduler: {@code EventLoopDelayProbe} measures how late
   * a task scheduled on each event loop runs (that lateness is the signal), and {@code LoadShedding}
   * schedules the periodic evaluation on one loop.
   */
  ArchRule shedDecisionsImportNoNetty() {
    return noClasses()
        .that()
        .resideInAPackage(root + ".shed..")
        .and(DescribedPredicate.not(inTopLevelClass(root + ".shed.EventLoopDelayProbe", root + ".shed.LoadShedding")))
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.netty..")
        .because("load decisions are plain objects driven by a fake ticker in unit tests");
  }

  /**
   * Channels, pipelines, handlers and bootstraps belong to the packages that do I/O: transport (and tls,
   * its TLS counterpart, for contexts and handlers that server and upstream install), server, forward,
   * upstream, admin and codec (its decoders are handlers). The one exception outside them is
   * health/probe: a TCP or HTTP probe opens its own connection to an endpoint. An event loop used only
   * as a scheduler ({@code EventLoopGroup.next().schedule(...)}, as health/, shed/ and coord/ do) is
   * not channel I/O and is allowed everywhere outside the decision packages.
   */
  ArchRule onlyIoPackagesTouchNettyChannels() {
    DescribedPredicate<JavaClass> channelIo =
        JavaClass.Predicates.resideInAnyPackage("io.netty.channel..", "io.netty.bootstrap..")
            .and(DescribedPredicate.not(JavaClass.Predicates.assignableTo(EventExecutorGroup.class)))
            .as("Netty channel or bootstrap types (event loops as schedulers excepted)");
    return noClasses()
        .that()
        .resideInAPackage(root + "..")
        .and()
        .resideOutsideOfPackages(
            root,
            root + ".transport..",
            root + ".tls..",
            root + ".server..",
            root + ".forward..",
            root + ".upstream..",
            root + ".admin..",
            root + ".codec..",
            root + ".health.probe..")
        .should()
        .dependOnClassesThat(channelIo)
        .because("only transport, server, forward, upstream, admin, codec and health probes do I/O");
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
        .resideInAPackage(root + ".admin..")
        .because("admin parses requests and writes answers; the concerns behind it know no routes");
  }

  /** The same concerns know no HTTP message types; only an HTTP health probe speaks HTTP (to an endpoint). */
  ArchRule concernsSpeakNoHttp() {
    return noClasses()
        .that()
        .resideInAnyPackage(root + ".health..", root + ".shed..", root + ".coord..")
        .and()
        .resideOutsideOfPackage(root + ".health.probe..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.netty.handler.codec.http..")
        .because("admin parses requests and writes answers; the concerns behind it know no HTTP");
  }

  /**
   * forward/ and server/ get time and randomness from the listener context (a {@code Ticker}, a
   * {@code Clock}, a {@code RandomSource}), so the exchange's tests drive them exactly.
   */
  ArchRule forwardingReadsNoRawClockOrRandom() {
    return noClasses()
        .that()
        .resideInAnyPackage(root + ".forward..", root + ".server..")
        .should()
        .callMethod(System.class, "nanoTime")
        .orShould()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .callMethod(java.time.Instant.class, "now")
        .orShould()
        .dependOnClassesThat()
        .areAssignableTo(java.util.concurrent.ThreadLocalRandom.class)
        .because("time and randomness are injected so the exchange is tested with a fake ticker and a seed");
  }

  /** @return classes that are one of {@code names} or nested in one */
  private static DescribedPredicate<JavaClass> inTopLevelClass(String... names) {
    List<String> top = List.of(names);
    return DescribedPredicate.describe(
        "in top-level class " + top, c -> top.contains(c.getName().replaceFirst("\\$.*", "")));
  }
}
