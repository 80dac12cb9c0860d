package io.salve.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.salve.it.support.SalveProcess;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * What a new user sees when salve cannot start: one plain sentence naming what failed and why, exit
 * code 1, and no stack trace.
 */
class StartupErrorsIT {
  private static final Duration EXIT = Duration.ofSeconds(30);

  private static String config(String admin, String listener) {
    return """
        admin: %s
        listeners:
          - name: egress
            address: %s
            routes: [{ upstream: backend }]
        upstreams:
          backend: { endpoints: [127.0.0.1:1] }
        """
        .formatted(admin, listener);
  }

  private static SalveProcess.Exit runWith(String yaml) throws Exception {
    return SalveProcess.runToExit(EXIT, "--config", SalveProcess.configFile(yaml).toString());
  }

  private static void assertPlainFailure(SalveProcess.Exit exit, String sentence) {
    assertThat(exit.code()).as("exit code; stderr:\n" + exit.stderr()).isEqualTo(1);
    assertThat(exit.stderr()).contains(sentence);
    assertThat(exit.stderr()).as("no stack trace").doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void aListenerPortInUse_isNamedWithItsListenerAndAddress() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String address = "127.0.0.1:" + taken.getLocalPort();
      SalveProcess.Exit exit = runWith(config("{ address: 127.0.0.1:0 }", address));
      assertPlainFailure(exit, "salve: cannot start: listener 'egress' cannot bind " + address + ": address already in use");
    }
  }

  @Test
  void anAdminPortInUse_isNamed() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String address = "127.0.0.1:" + taken.getLocalPort();
      SalveProcess.Exit exit = runWith(config("{ address: " + address + " }", "127.0.0.1:0"));
      assertPlainFailure(exit, "salve: cannot start: admin cannot bind " + address + ": address already in use");
    }
  }

  @Test
  void aProbePortInUse_isNamed() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String address = "127.0.0.1:" + taken.getLocalPort();
      SalveProcess.Exit exit =
          runWith(config("{ address: 127.0.0.1:0, probes: { address: " + address + " } }", "127.0.0.1:0"));
      assertPlainFailure(exit, "salve: cannot start: admin probes cannot bind " + address + ": address already in use");
    }
  }

  @Test
  void aMissingConfigFile_getsAPlainSentence_forRunAndForCheck() throws Exception {
    Path absent = Paths.get("target", "it-runs", "does-not-exist.yaml").toAbsolutePath();
    for (String option : new String[] {"--config", "--check-config"}) {
      SalveProcess.Exit exit = SalveProcess.runToExit(EXIT, option, absent.toString());
      assertPlainFailure(exit, "salve: cannot read config file " + absent + ": no such file");
      assertThat(exit.stderr()).as(option).doesNotContain(":0:0:");
      assertThat(exit.stdout()).as(option).isEmpty();
    }
  }

  @Test
  void anUnreadableConfigFile_getsAPlainSentence() throws Exception {
    Path directory = Files.createDirectories(Paths.get("target", "it-runs", "a-directory.yaml")).toAbsolutePath();
    for (String option : new String[] {"--config", "--check-config"}) {
      SalveProcess.Exit exit = SalveProcess.runToExit(EXIT, option, directory.toString());
      assertPlainFailure(exit, "salve: cannot read config file " + directory + ": is a directory");
    }
  }
}
