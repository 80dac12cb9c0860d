package io.salve.proxy.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class RetryAfterTest {
  private static final Instant NOW = Instant.parse("1994-11-06T08:49:37Z");

  @Test
  void deltaSeconds() {
    assertThat(RetryAfter.parseDelayNanos("120", NOW))
        .hasValue(Duration.ofSeconds(120).toNanos());
    assertThat(RetryAfter.parseDelayNanos("0", NOW)).hasValue(0);
    assertThat(RetryAfter.parseDelayNanos(" 5 ", NOW)).hasValue(Duration.ofSeconds(5).toNanos());
  }

  @Test
  void deltaSeconds_hugeValuesAreCapped() {
    long cap = Duration.ofSeconds(2_147_483_648L).toNanos();
    assertThat(RetryAfter.parseDelayNanos("99999999999999999999999", NOW)).hasValue(cap);
    assertThat(RetryAfter.parseDelayNanos("4294967296", NOW)).hasValue(cap);
  }

  @Test
  void httpDate_inTheFuture() {
    assertThat(RetryAfter.parseDelayNanos("Sun, 06 Nov 1994 08:50:07 GMT", NOW))
        .hasValue(Duration.ofSeconds(30).toNanos());
  }

  @Test
  void httpDate_nowOrInThePastIsZero() {
    assertThat(RetryAfter.parseDelayNanos("Sun, 06 Nov 1994 08:49:37 GMT", NOW)).hasValue(0);
    assertThat(RetryAfter.parseDelayNanos("Fri, 31 Dec 1993 23:59:59 GMT", NOW)).hasValue(0);
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(
      strings = {
        "",
        "  ",
        "-1",
        "+5",
        "1.5",
        "soon",
        "12abc",
        "Sun, 06 Nov 1994 08:49:37",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun, 32 Nov 1994 08:49:37 GMT"
      })
  void garbage_isEmpty(String value) {
    assertThat(RetryAfter.parseDelayNanos(value, NOW)).isEqualTo(OptionalLong.empty());
  }
}
