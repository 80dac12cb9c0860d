package io.salve.it.support;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus' own linter, {@code promtool check metrics} (Debian package {@code prometheus}). Where it
 * is not installed the calling test is skipped, except under {@code CI=true}, where it fails: CI
 * installs it, so its absence there is a broken build, not a reason to skip.
 */
public final class Promtool {
  private final Path binary;

  private Promtool(Path binary) {
    this.binary = binary;
  }

  /** @return promtool from the PATH; skips the test (fails it under CI=true) when there is none. */
  public static Promtool require() {
    Path found = onPath("promtool");
    if (found == null) {
      String message = "promtool is not on the PATH (install the Debian package 'prometheus')";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(message + "; CI=true, so this test may not be skipped");
      }
      assumeTrue(false, message + "; skipped outside CI");
    }
    return new Promtool(found);
  }

  private static Path onPath(String name) {
    String path = System.getenv("PATH");
    for (String dir : path == null ? new String[0] : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  /** promtool's exit code and everything it printed (stdout and stderr together). */
  public record Result(int exitCode, String output) {}

  /** Runs {@code promtool check metrics} with {@code exposition} on its standard input. */
  public Result checkMetrics(String exposition) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(binary.toString(), "check", "metrics").redirectErrorStream(true).start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(exposition.getBytes(StandardCharsets.UTF_8));
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("promtool did not finish within 30s");
    }
    return new Result(p.exitValue(), output);
  }
}
