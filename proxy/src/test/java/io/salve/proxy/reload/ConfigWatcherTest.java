package io.salve.proxy.reload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigWatcherTest {
  @TempDir Path dir;
  private final ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1);
  private ConfigWatcher watcher;

  @AfterEach
  void tearDown() {
    if (watcher != null) {
      watcher.close();
    }
    executor.shutdownNow();
  }

  /** Starts {@link #watcher} on {@code file} (and {@code alsoWatched}); each callback releases a permit. */
  private Semaphore watch(Path file, Duration quiet, Path... alsoWatched) throws IOException {
    Semaphore calls = new Semaphore(0);
    watcher = new ConfigWatcher(file, quiet, executor, calls::release);
    for (Path other : alsoWatched) {
      watcher.alsoWatch(other);
    }
    watcher.start();
    return calls;
  }

  @Test
  void aBurstOfEvents_makesOneCallbackAfterTheLast() {
    executor.setRemoveOnCancelPolicy(true);
    AtomicInteger calls = new AtomicInteger();
    watcher = new ConfigWatcher(dir.resolve("salve.yaml"), Duration.ofHours(1), executor, calls::incrementAndGet);
    watcher.changed();
    watcher.changed();
    watcher.changed();
    assertThat(executor.getQueue()).as("earlier callbacks are cancelled, one is pending").hasSize(1);
    assertThat(calls).hasValue(0);
    watcher.close();
    assertThat(executor.getQueue()).as("closing cancels the pending callback").isEmpty();
    watcher.changed();
    assertThat(executor.getQueue()).as("nothing after close").isEmpty();
  }

  @Test
  void watchesTheFilesDirectory() {
    watcher = new ConfigWatcher(Paths.get("conf", "salve.yaml"), Duration.ZERO, executor, () -> {});
    assertThat(watcher.directory()).isEqualTo(Paths.get("conf").toAbsolutePath());
  }

  @Test
  void editReplaceAndConfigMapSwap_eachCallBack() throws Exception {
    Path first = Files.createDirectory(dir.resolve("..2026_01"));
    Files.writeString(first.resolve("salve.yaml"), "one");
    Files.createSymbolicLink(dir.resolve("..data"), first.getFileName());
    Path file = dir.resolve("salve.yaml");
    Files.createSymbolicLink(file, Paths.get("..data", "salve.yaml"));
    Semaphore calls = watch(file, Duration.ofMillis(50));

    Path second = Files.createDirectory(dir.resolve("..2026_02"));
    Files.writeString(second.resolve("salve.yaml"), "two");
    Files.createSymbolicLink(dir.resolve("..data_tmp"), second.getFileName());
    Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
    assertThat(calls.tryAcquire(10, TimeUnit.SECONDS)).as("the ..data swap is seen").isTrue();
    assertThat(Files.readString(file)).isEqualTo("two");
  }

  @Test
  void aLogWrittenBesideTheFile_neitherCallsBackNorHoldsAnEditBack() throws Exception {
    Path file = Files.writeString(dir.resolve("salve.yaml"), "one");
    Path log = Files.writeString(dir.resolve("salve.log"), "");
    Semaphore calls = watch(file, Duration.ofMillis(200));
    ScheduledThreadPoolExecutor logger = new ScheduledThreadPoolExecutor(1);
    logger.scheduleAtFixedRate(() -> append(log), 0, 10, TimeUnit.MILLISECONDS);
    try {
      assertThat(calls.tryAcquire(500, TimeUnit.MILLISECONDS)).as("log writes alone do not call back").isFalse();
      Files.writeString(file, "two");
      // Before, every log write restarted the quiet period: the edit waited for the log to stop.
      assertThat(calls.tryAcquire(10, TimeUnit.SECONDS)).as("an edit is seen while the log is written").isTrue();
    } finally {
      logger.shutdownNow();
    }
  }

  private static void append(Path log) {
    try {
      Files.writeString(log, "{\"status\":200}\n", StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aSymlinkToAFileBesideIt_followsThatFile() throws Exception {
    Path real = Files.writeString(dir.resolve("real.yaml"), "one");
    Path file = Files.createSymbolicLink(dir.resolve("salve.yaml"), real.getFileName());
    Semaphore calls = watch(file, Duration.ofMillis(50));
    Files.writeString(real, "two");
    assertThat(calls.tryAcquire(10, TimeUnit.SECONDS)).as("an edit of the link's target is seen").isTrue();
  }

  @Test
  void aSymlinkSwitchedToAnotherFile_followsTheNewOne() throws Exception {
    Files.writeString(dir.resolve("v1.yaml"), "one");
    Path v2 = Files.writeString(dir.resolve("v2.yaml"), "two");
    Path file = Files.createSymbolicLink(dir.resolve("salve.yaml"), Paths.get("v1.yaml"));
    Semaphore calls = watch(file, Duration.ofMillis(50));
    Files.createSymbolicLink(dir.resolve("salve.yaml.new"), Paths.get("v2.yaml"));
    Files.move(dir.resolve("salve.yaml.new"), file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    assertThat(calls.tryAcquire(10, TimeUnit.SECONDS)).as("the switch is seen").isTrue();
    Files.writeString(v2, "three");
    assertThat(calls.tryAcquire(10, TimeUnit.SECONDS)).as("an edit of the new target is seen").isTrue();
  }

  @Test
  void anotherFileGivenForTheSameDirectory_callsBackToo() throws Exception {
    Path cert = Files.writeString(dir.resolve("cert.pem"), "one");
    Path ca = Files.writeString(dir.resolve("ca.pem"), "one");
    Semaphore calls = watch(cert, Duration.ofMillis(50), ca);
    Files.writeString(ca, "two");
    assertThat(calls.tryAcquire(10, TimeUnit.SECONDS)).as("a trust bundle updated alone is seen").isTrue();
  }

  @Test
  void anEditInPlace_callsBack() throws Exception {
    Path file = Files.writeString(dir.resolve("salve.yaml"), "one");
    Semaphore calls = watch(file, Duration.ofMillis(50));
    Files.writeString(file, "two");
    assertThat(calls.tryAcquire(10, TimeUnit.SECONDS)).as("an edit in place is seen").isTrue();
  }
}
