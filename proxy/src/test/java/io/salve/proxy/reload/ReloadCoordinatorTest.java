package io.salve.proxy.reload;

import static org.assertj.core.api.Assertions.assertThat;

import io.salve.config.ConfigLoader;
import io.salve.config.SalveConfig;
import io.salve.proxy.reload.ReloadCoordinator.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reloads run synchronously here ({@link ReloadCoordinator#reload}); no watcher is started. */
class ReloadCoordinatorTest {
  private static final String V1 = """
      listeners:
        - name: egress
          address: 127.0.0.1:15001
          routes: [{ upstream: a }]
      upstreams:
        a: { endpoints: [127.0.0.1:8080] }
      """;
  private static final String V2 = V1.replace("8080", "9090");

  @TempDir Path dir;
  private final ConfigLoader loader = new ConfigLoader(Map.of());
  private final List<SalveConfig> applied = new ArrayList<>();
  private final List<Result> results = new ArrayList<>();
  private Path file;
  private ReloadCoordinator coordinator;
  private Exception applyFailure;

  @BeforeEach
  void setUp() throws Exception {
    file = Files.writeString(dir.resolve("salve.yaml"), V1);
    LoadedConfig initial = new LoadedConfig(loader.parse(V1, file.toString()), LoadedConfig.hash(V1));
    coordinator =
        new ReloadCoordinator(
            file,
            loader,
            initial,
            (next, diff) -> {
              if (applyFailure != null) {
                throw applyFailure;
              }
              applied.add(next);
            },
            results::add,
            Duration.ofMillis(10));
  }

  @AfterEach
  void tearDown() {
    coordinator.close();
  }

  @Test
  void sameContent_isUnchanged() {
    assertThat(coordinator.reload("test")).isEqualTo(Result.UNCHANGED);
    assertThat(applied).isEmpty();
    assertThat(results).containsExactly(Result.UNCHANGED);
  }

  @Test
  void changedContent_isApplied_andBecomesCurrent() throws Exception {
    Files.writeString(file, V2);
    assertThat(coordinator.reload("test")).isEqualTo(Result.APPLIED);
    assertThat(applied).hasSize(1);
    assertThat(applied.get(0).upstreams().get("a").endpoints().get(0).address().port()).isEqualTo(9090);
    assertThat(coordinator.current().hash()).isEqualTo(LoadedConfig.hash(V2));
    assertThat(coordinator.current().config()).isSameAs(applied.get(0));
    assertThat(coordinator.reload("again")).isEqualTo(Result.UNCHANGED);
  }

  @Test
  void sameMeaningInOtherWords_isUnchanged_underTheNewHash() throws Exception {
    String reworded = "# a comment\n" + V1;
    Files.writeString(file, reworded);
    assertThat(coordinator.reload("test")).isEqualTo(Result.UNCHANGED);
    assertThat(applied).isEmpty();
    assertThat(coordinator.current().hash()).isEqualTo(LoadedConfig.hash(reworded));
  }

  @Test
  void invalidContent_isRejected_andTheRunningConfigurationStays() throws Exception {
    LoadedConfig before = coordinator.current();
    Files.writeString(file, V1 + "colour: blue\n");
    assertThat(coordinator.reload("test")).isEqualTo(Result.REJECTED);
    assertThat(applied).isEmpty();
    assertThat(coordinator.current()).isSameAs(before);
  }

  @Test
  void aFailedApply_isRejected_andTheRunningConfigurationStays() throws Exception {
    LoadedConfig before = coordinator.current();
    applyFailure = new IllegalStateException("listener 'egress' cannot bind 127.0.0.1:15001: address in use");
    Files.writeString(file, V2);
    assertThat(coordinator.reload("test")).isEqualTo(Result.REJECTED);
    assertThat(coordinator.current()).isSameAs(before);
    applyFailure = null;
    assertThat(coordinator.reload("retry")).as("the same content may be retried").isEqualTo(Result.APPLIED);
  }

  @Test
  void aBlockedChange_isRejected_beforeApplying() throws Exception {
    Files.writeString(file, V1.replace("[127.0.0.1:8080] }", "[127.0.0.1:8080], leases: { ttl: 30s } }"));
    assertThat(coordinator.reload("test")).isEqualTo(Result.REJECTED);
    assertThat(applied).isEmpty();
  }

  @Test
  void aMissingFile_isRejected() throws Exception {
    Files.delete(file);
    assertThat(coordinator.reload("test")).isEqualTo(Result.REJECTED);
    assertThat(results).containsExactly(Result.REJECTED);
  }
}
