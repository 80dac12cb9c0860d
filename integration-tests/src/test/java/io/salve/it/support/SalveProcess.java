package io.salve.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
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

  private final Process process;
  private final Path stdout;
  private final Path stderr;
  private final Map<String, Integer> ports = new HashMap<>();
  private int adminPort;
  private boolean stopped;

  private SalveProcess(Process process, Path stdout, Path stderr) {
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /** Starts salve on {@code yaml} with the default two event loops and waits until it is ready. */
  public static SalveProcess start(String yaml) throws Exception {
    return start(yaml, 2, List.of());
  }

  /** Starts salve with {@code eventLoops} loops and extra JVM arguments. */
  public static SalveProcess start(String yaml, int eventLoops, List<String> jvmArgs) throws Exception {
    Path dir = Files.createDirectories(Paths.get("target", "it-runs"));
    Path config = Files.createTempFile(dir, "salve-", ".yaml");
    Files.writeString(config, yaml);
    Path out = Paths.get(config.toString().replace(".yaml", ".out"));
    Path err = Paths.get(config.toString().replace(".yaml", ".err"));
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Dio.netty.leakDetection.level=PARANOID");
    cmd.add("-Dio.netty.leakDetection.targetRecords=8");
    cmd.add("-Dsalve.leakCheckOnExit=true");
    cmd.add("-Dsalve.eventLoops=" + eventLoops);
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
    SalveProcess salve = new SalveProcess(p, out, err);
    salve.awaitReady(Duration.ofSeconds(30));
    return salve;
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
