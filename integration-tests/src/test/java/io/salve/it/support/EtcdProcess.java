package io.salve.it.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real single-member etcd (the {@code etcd} binary, e.g. Debian's etcd-server) on free loopback
 * client and peer ports with a temporary data directory. It can be frozen (SIGSTOP), thawed
 * (SIGCONT), stopped and restarted on the same ports and data, and is removed by {@link #close()}.
 *
 * <p>Without an {@code etcd} binary on the PATH (or in {@code -Detcd.binary}) the test is skipped
 * with a message, except under {@code CI=true}, where it fails: CI installs etcd.
 */
public final class EtcdProcess implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

  private final Path binary;
  private final Path dataDir;
  private final Path log;
  private final int clientPort;
  private final int peerPort;
  private Process process;
  private boolean frozen;

  private EtcdProcess(Path binary, Path dataDir, Path log, int clientPort, int peerPort) {
    this.binary = binary;
    this.dataDir = dataDir;
    this.log = log;
    this.clientPort = clientPort;
    this.peerPort = peerPort;
  }

  /** Starts etcd and waits until {@code /health} answers true; skips (or fails on CI) without etcd. */
  public static EtcdProcess start() throws Exception {
    Path binary = binary();
    Path runs = Files.createDirectories(Paths.get("target", "it-runs").toAbsolutePath());
    Path dataDir = Files.createTempDirectory(runs, "etcd-");
    Path log = Paths.get(dataDir + ".log");
    IllegalStateException last = null;
    // A free port found by binding 0 can be taken again before etcd binds it: retry with new ports.
    for (int attempt = 0; attempt < 3; attempt++) {
      EtcdProcess etcd = new EtcdProcess(binary, dataDir, log, freePort(), freePort());
      try {
        etcd.launch();
        return etcd;
      } catch (IllegalStateException e) {
        last = e;
        etcd.kill();
        deleteTree(dataDir);
        Files.createDirectories(dataDir);
      }
    }
    throw last;
  }

  private static Path binary() {
    String configured = System.getProperty("etcd.binary");
    if (configured != null) {
      return Paths.get(configured);
    }
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path p = Paths.get(dir, "etcd");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    String message = "no etcd binary on the PATH (install Debian's etcd-server, or pass -Detcd.binary=...)";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException(message + ": CI must run the etcd tests");
    }
    Assumptions.abort(message + ": skipping");
    throw new AssertionError("unreachable");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private void launch() throws Exception {
    String client = "http://127.0.0.1:" + clientPort;
    String peer = "http://127.0.0.1:" + peerPort;
    List<String> cmd =
        List.of(
            binary.toString(),
            "--name", "salve-it",
            "--data-dir", dataDir.toString(),
            "--listen-client-urls", client,
            "--advertise-client-urls", client,
            "--listen-peer-urls", peer,
            "--initial-advertise-peer-urls", peer,
            "--initial-cluster", "salve-it=" + peer,
            "--initial-cluster-state", "new",
            "--logger", "zap",
            "--log-outputs", "stderr");
    process =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    awaitHealthy();
  }

  private void awaitHealthy() throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(clientUrl() + "/health")).timeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("etcd exited with " + process.exitValue() + ":\n" + log());
      }
      try {
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200 && r.body().contains("\"health\":\"true\"")) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100); // polling a child process from the test thread
    }
    throw new IllegalStateException("etcd not healthy within " + READY_TIMEOUT + ":\n" + log());
  }

  /** @return the client URL, e.g. {@code http://127.0.0.1:40123}, for {@code coordination.etcd.endpoints}. */
  public String clientUrl() {
    return "http://127.0.0.1:" + clientPort;
  }

  public int clientPort() {
    return clientPort;
  }

  /** @return etcd's own log so far. */
  public String log() throws IOException {
    return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
  }

  /** Suspends etcd (SIGSTOP): its sockets stay open but nothing answers, like a hung or partitioned node. */
  public void freeze() throws Exception {
    signal("STOP");
    frozen = true;
  }

  /** Resumes a frozen etcd (SIGCONT). */
  public void thaw() throws Exception {
    signal("CONT");
    frozen = false;
  }

  private void signal(String name) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
    if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
    }
  }

  /** Stops etcd (SIGTERM, then SIGKILL after 10s); {@link #restart()} brings it back with the same data. */
  public void stop() throws Exception {
    if (process == null || !process.isAlive()) {
      return;
    }
    if (frozen) {
      thaw();
    }
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }

  /**
   * Starts etcd again on the same ports and data directory and waits until it is healthy (the
   * {@code --initial-*} flags are ignored once the data directory holds a member).
   */
  public void restart() throws Exception {
    stop();
    launch();
  }

  private void kill() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Stops etcd (thawing it first if frozen) and deletes its data directory. */
  @Override
  public void close() throws Exception {
    try {
      stop();
    } finally {
      kill();
      deleteTree(dataDir);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
