package io.salve.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SizesTest {
  @Test
  void parse_bytesAndBinaryUnits() {
    assertThat(Sizes.parse("0")).isZero();
    assertThat(Sizes.parse("512")).isEqualTo(512);
    assertThat(Sizes.parse("512B")).isEqualTo(512);
    assertThat(Sizes.parse("64KiB")).isEqualTo(65536);
    assertThat(Sizes.parse("1MiB")).isEqualTo(1048576);
    assertThat(Sizes.parse("2GiB")).isEqualTo(2147483648L);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-1", "1KB", "1kib", "1.5MiB", "MiB", "8589934592GiB"})
  void parse_rejects(String text) {
    assertThat(Sizes.parse(text)).isNull();
  }
}
