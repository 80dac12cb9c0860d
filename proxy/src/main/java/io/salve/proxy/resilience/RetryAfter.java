package io.salve.proxy.resilience;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.OptionalLong;

/** Parsing of the {@code Retry-After} response header (RFC 9110 §10.2.3). */
public final class RetryAfter {
  /** RFC 9111 §1.2.2: larger delta-seconds are to be read as this. */
  private static final long MAX_DELTA_SECONDS = 2_147_483_648L;

  private RetryAfter() {}

  /**
   * @param headerValue the header's value: delta-seconds (a non-negative integer) or an HTTP date
   *     in IMF-fixdate form such as {@code Sun, 06 Nov 1994 08:49:37 GMT}
   * @param now the current wall-clock time, to turn a date into a delay
   * @return the delay in nanoseconds, 0 for a date in the past, or empty if the value is missing
   *     or malformed
   */
  public static OptionalLong parseDelayNanos(String headerValue, Instant now) {
    if (headerValue == null) {
      return OptionalLong.empty();
    }
    String value = headerValue.trim();
    if (value.isEmpty()) {
      return OptionalLong.empty();
    }
    if (isDigits(value)) {
      return OptionalLong.of(Duration.ofSeconds(deltaSeconds(value)).toNanos());
    }
    try {
      Instant date = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration delay = Duration.between(now, date);
      return OptionalLong.of(Durations.toNanos(delay));
    } catch (DateTimeParseException e) {
      return OptionalLong.empty();
    }
  }

  private static long deltaSeconds(String digits) {
    // Past 10 digits the value is beyond the cap anyway, and parseLong could overflow.
    if (digits.length() > 10) {
      return MAX_DELTA_SECONDS;
    }
    return Math.min(MAX_DELTA_SECONDS, Long.parseLong(digits));
  }

  private static boolean isDigits(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }
}
