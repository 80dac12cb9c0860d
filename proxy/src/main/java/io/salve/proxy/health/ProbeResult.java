package io.salve.proxy.health;

import java.util.Objects;

/**
 * The outcome of one active health probe.
 *
 * @param passed whether the endpoint answered as expected
 * @param detail a short human-readable reason for logs, e.g. {@code status 200}, {@code status 503},
 *     {@code timeout after 1000ms}, {@code connect failed: Connection refused}
 */
public record ProbeResult(boolean passed, String detail) {
  public ProbeResult {
    Objects.requireNonNull(detail, "detail");
  }

  public static ProbeResult pass(String detail) {
    return new ProbeResult(true, detail);
  }

  public static ProbeResult fail(String detail) {
    return new ProbeResult(false, detail);
  }
}
