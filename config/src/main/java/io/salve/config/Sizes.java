package io.salve.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses byte sizes: an integer of bytes, alone or with {@code B}, {@code KiB}, {@code MiB} or {@code GiB}. */
final class Sizes {
  private static final Pattern SIZE = Pattern.compile("(\\d{1,18})\\s*(B|KiB|MiB|GiB)?");

  private Sizes() {}

  /** @return the size in bytes, or null when {@code text} is not a size. */
  static Long parse(String text) {
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      return null;
    }
    long amount = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "B" : m.group(2);
    int shift = switch (unit) {
      case "KiB" -> 10;
      case "MiB" -> 20;
      case "GiB" -> 30;
      default -> 0;
    };
    if (amount > (Long.MAX_VALUE >> shift)) {
      return null;
    }
    return amount << shift;
  }
}
