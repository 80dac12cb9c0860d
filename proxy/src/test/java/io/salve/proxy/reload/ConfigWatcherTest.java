package io.salve.proxy.reload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
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
    Semaphore calls = new Semaphore(0);
    watcher = new ConfigWatcher(file, Duration.ofMillis(50), executor, calls::release);
    watcher.start();

    Path second = Files.createDirectory(dir.resolve("..2026_02"));
    Files.writeString(second.resolve("salve.yaml"), "two");
    Files.createSymbolicLink(dir.resolve("..data_tmp"), second.getFileName());
    Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
    assertThat(calls.tryAcquire(10, TimeUnit.SECONDS)).as("the ..data swap is seen").isTrue();
    assertThat(Files.readString(file)).isEqualTo("two");
  }

  @Test
  void anEditInPlace_callsBack() throws Exception {
    Path file = Files.writeString(dir.resolve("salve.yaml"), "one");
    Semaphore calls = new Semaphore(0);
    watcher = new ConfigWatcher(file, Duration.ofMillis(50), executor, calls::release);
    watcher.start();
    Files.writeString(file, "two");
    assertThat(calls.tryAcquire(10, TimeUnit.SECONDS)).as("an edit in place is seen").isTrue();
  }
}
