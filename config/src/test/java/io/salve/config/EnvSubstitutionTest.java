package io.salve.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvSubstitutionTest {
  private final EnvSubstitution env = new EnvSubstitution(Map.of("POD_IP", "10.0.0.7", "EMPTY", ""));

  @Test
  void expandsReferencesAndDefaults() {
    assertThat(env.expand("${POD_IP}:15000").value()).isEqualTo("10.0.0.7:15000");
    assertThat(env.expand("${POD_NAME:-salve-local}").value()).isEqualTo("salve-local");
    assertThat(env.expand("${POD_IP:-x}/${NS:-default}").value()).isEqualTo("10.0.0.7/default");
    assertThat(env.expand("${NS:-}").value()).isEmpty();
  }

  @Test
  void defaultApplies_whenSetButEmpty_andPlainReferenceKeepsEmpty() {
    assertThat(env.expand("${EMPTY:-d}").value()).isEqualTo("d");
    assertThat(env.expand("[${EMPTY}]").value()).isEqualTo("[]");
  }

  @Test
  void leavesTextWithoutReferencesAlone() {
    assertThat(env.expand("cost: $5 {x}").value()).isEqualTo("cost: $5 {x}");
  }

  @Test
  void reportsUnsetVariablesAndBadSyntax() {
    assertThat(env.expand("${POD_NAME}").problem()).isEqualTo(
        "environment variable POD_NAME is not set (expected: set it, or give a default as ${POD_NAME:-default})");
    assertThat(env.expand("${POD_IP").problem()).startsWith("unterminated '${'");
    assertThat(env.expand("${1X}").problem()).startsWith("invalid variable reference '${1X}'");
  }
}
