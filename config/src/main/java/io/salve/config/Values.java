package io.salve.config;

import java.time.Duration;

/**
 * The configuration's value syntax, for the places outside YAML that accept the same values (the
 * admin API's endpoints, TTLs and durations), so there is one grammar for each.
 */
public final class Values {
  private Values() {}

  /** @return {@code host:port} or {@code [v6]:port} (port 0-65535), or null when {@code text} is not one. */
  public static HostPort hostPort(String text) {
    return Addresses.hostPort(text);
  }

  /** @return a duration such as {@code 250ms}, {@code 5s}, {@code 1m}, {@code 1h}, or null. */
  public static Duration duration(String text) {
    return Durations.parse(text);
  }

  /** @return the shortest exact spelling of {@code d}, e.g. {@code 1m} or {@code 1500ms}. */
  public static String format(Duration d) {
    return Durations.format(d);
  }
}
