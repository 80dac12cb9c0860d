package io.salve.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real salve jar, started as its own process on a YAML configuration, the way users run it.
 * Listeners and admin may bind port 0: the bound ports are read from salve's startup log. Netty's
 * leak detector runs at PARANOID, and {@link #stop()} fails the test on any leak report.
 */
public final class SalveProcess implements AutoCloseable {
  private static final Pattern BOUND = Pattern.compile("listener (\\S+) bound to [^:]+:(\\d+)");
  private static final Pattern ADMIN = Pattern.compile("admin bound to [^:]+:(\\d+)");
  private static final Pattern PROBES = Pattern.compile("admin probes bound to \\S+:(\\d+)");

  private final Process process;
  private final Path config;
  private final Path stdout;
  private final Path stderr;
  private final Map<String, Integer> ports = new HashMap<>();
  private int adminPort;
  private int probesPort;
  private boolean stopped;

  private SalveProcess(Process process, Path config, Path stdout, Path stderr) {
    this.process = process;
    this.config = config;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /** Starts salve on {@code yaml} with the default two event loops and waits until it is ready. */
  public static SalveProcess start(String yaml) throws Exception {
    return start(yaml, 2, List.of());
  }

  /** Starts salve with {@code eventLoops} loops and extra JVM arguments. */
  public static SalveProcess start(String yaml, int eventLoops, List<String> jvmArgs) throws Exception {
    return start(configFile(yaml), eventLoops, jvmArgs);
  }

  /**
   * Starts salve on an existing configuration file (which may be a symlink, as in a ConfigMap
   * volume); its logs go beside the file, named after it.
   */
  public static SalveProcess start(Path config, int eventLoops, List<String> jvmArgs) throws Exception {
    Path out = Paths.get(config.toString().replace(".yaml", ".out"));
    Path err = Paths.get(config.toString().replace(".yaml", ".err"));
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Dio.netty.leakDetection.level=PARANOID");
    cmd.add("-Dio.netty.leakDetection.targetRecords=8");
    cmd.add("-Dsalve.leakCheckOnExit=true");
    cmd.add("-Dsalve.eventLoops=" + eventLoops);
    // The start-up warm-up (one second by default) is off in the suite, which starts salve well over a
    // hundred times; WarmUpIT runs it. A test's own -Dsalve.warmUp, added below, wins.
    cmd.add("-Dsalve.warmUp=0s");
    // -Dsalve.it.transport=io_uring runs the whole suite on that transport; a test's own arguments win
    String transport = System.getProperty("salve.it.transport", "");
    if (!transport.isBlank()) {
      cmd.add("-Dsalve.transport=" + transport);
    }
    cmd.addAll(jvmArgs);
    cmd.add("-jar");
    cmd.add(jar().toString());
    cmd.add("--config");
    cmd.add(config.toString());
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    SalveProcess salve = new SalveProcess(p, config, out, err);
    salve.awaitReady(Duration.ofSeconds(30));
    return salve;
  }

  /** How a salve run that was expected to end ended. */
  public record Exit(int code, String stdout, String stderr) {}

  /**
   * Runs the jar with {@code args} (for example {@code --check-config FILE}, or a configuration that
   * cannot start) and waits for it to exit on its own.
   */
  public static Exit runToExit(Duration timeout, String... args) throws Exception {
    Path dir = Files.createDirectories(Paths.get("target", "it-runs"));
    Path out = Files.createTempFile(dir, "salve-exit-", ".out");
    Path err = Paths.get(out.toString().replace(".out", ".err"));
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-jar");
    cmd.add(jar().toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("salve " + String.join(" ", args) + " did not exit within " + timeout);
    }
    return new Exit(
        p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }

  /** Writes {@code yaml} to a new file under target/it-runs and returns its path. */
  public static Path configFile(String yaml) throws IOException {
    Path dir = Files.createDirectories(Paths.get("target", "it-runs"));
    Path config = Files.createTempFile(dir, "salve-", ".yaml");
    Files.writeString(config, yaml);
    return config;
  }

  static Path jar() {
    Path jar = Paths.get(System.getProperty("salve.jar", "../proxy/target/salve.jar"));
    assertThat(jar).as("the salve jar (build it with mvn package)").exists();
    return jar;
  }

  private void awaitReady(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      String log = stderr();
      if (log.contains("salve ready")) {
        Matcher m = BOUND.matcher(log);
        while (m.find()) {
          ports.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        Matcher a = ADMIN.matcher(log);
        if (a.find()) {
          adminPort = Integer.parseInt(a.group(1));
        }
        Matcher p = PROBES.matcher(log);
        if (p.find()) {
          probesPort = Integer.parseInt(p.group(1));
        }
        return;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException("salve exited with " + process.exitValue() + ":\n" + log);
      }
      Thread.sleep(50); // polling a child process's log from the test thread, not an event loop
    }
    process.destroyForcibly();
    throw new IllegalStateException("salve not ready in " + timeout + ":\n" + stderr());
  }

  /** @return the port the named listener is bound to. */
  public int port(String listener) {
    Integer p = ports.get(listener);
    assertThat(p).as("port of listener " + listener).isNotNull();
    return p;
  }

  public int adminPort() {
    return adminPort;
  }

  /** @return the port of the probe listener ({@code admin.probes.address}); fails when it has none. */
  public int probesPort() {
    assertThat(probesPort).as("probe port (admin probes bound to ... in the log)").isPositive();
    return probesPort;
  }

  /** @return everything salve wrote to stderr (operational log) so far. */
  public String stderr() throws IOException {
    return Files.exists(stderr) ? Files.readString(stderr, StandardCharsets.UTF_8) : "";
  }

  /** @return everything salve wrote to stdout (access log) so far. */
  public String stdout() throws IOException {
    return Files.exists(stdout) ? Files.readString(stdout, StandardCharsets.UTF_8) : "";
  }

  public Process process() {
    return process;
  }

  /** @return the configuration file salve was started with. */
  public Path configFile() {
    return config;
  }

  /**
   * Replaces the configuration file's content the way editors and tools do: a new file renamed
   * over the old one, so salve never reads a half-written file.
   */
  public void rewriteConfig(String yaml) throws IOException {
    Path tmp = config.resolveSibling(config.getFileName() + ".tmp");
    Files.writeString(tmp, yaml);
    Files.move(tmp, config, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Sends SIGHUP (salve reloads its configuration). */
  public void hangup() throws Exception {
    Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).inheritIO().start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -HUP succeeded").isTrue();
  }

  /** Sends SIGTERM and returns without waiting. */
  public void terminate() {
    process.destroy();
  }

  /**
   * Sends SIGTERM, waits for the exit, and asserts a clean exit with no buffer leak reported.
   *
   * @return the exit code
   */
  public int stop() throws Exception {
    if (stopped) {
      return process.exitValue();
    }
    stopped = true;
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("salve did not stop within 30s");
    }
    assertNoLeaks();
    return process.exitValue();
  }

  /** Fails when Netty reported a leaked buffer. */
  public void assertNoLeaks() throws IOException {
    assertThat(stderr()).as("Netty leak reports").doesNotContain("LEAK:");
  }

  @Override
  public void close() throws Exception {
    if (!stopped) {
      int code = stop();
      assertThat(code).as("salve exit code after SIGTERM").isZero();
    }
  }
}
