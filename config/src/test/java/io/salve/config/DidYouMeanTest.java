package io.salve.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DidYouMeanTest {
  private static final List<String> KEYS = List.of("endpoints", "loadBalancer", "leases", "retry", "retryBudget");

  @Test
  void suggestsTheClosestKeyWithinTwoEdits() {
    assertThat(DidYouMean.suggest("endpionts", KEYS)).isEqualTo("endpoints");
    assertThat(DidYouMean.suggest("loadbalancer", KEYS)).isEqualTo("loadBalancer");
    assertThat(DidYouMean.suggest("retyr", KEYS)).isEqualTo("retry");
    assertThat(DidYouMean.suggest("lease", KEYS)).isEqualTo("leases");
  }

  @Test
  void suggestsNothingForADifferentWord() {
    assertThat(DidYouMean.suggest("weights", KEYS)).isNull();
    assertThat(DidYouMean.suggest("", KEYS)).isNull();
  }

  @Test
  void distance_isLevenshtein() {
    assertThat(DidYouMean.distance("kitten", "sitting")).isEqualTo(3);
    assertThat(DidYouMean.distance("", "abc")).isEqualTo(3);
    assertThat(DidYouMean.distance("same", "same")).isZero();
  }
}
