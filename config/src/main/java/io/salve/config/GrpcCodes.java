package io.salve.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The gRPC status codes by the names written in {@code retryOn} and {@code failOn}: the spec's
 * upper-case names in lower case with dashes ({@code DEADLINE_EXCEEDED} is {@code deadline-exceeded}).
 */
public final class GrpcCodes {
  /** Every name, in code order (1 to 16; OK, 0, is never a failure). */
  public static final List<String> NAMES = List.of(
      "cancelled", "unknown", "invalid-argument", "deadline-exceeded", "not-found", "already-exists",
      "permission-denied", "resource-exhausted", "failed-precondition", "aborted", "out-of-range",
      "unimplemented", "internal", "unavailable", "data-loss", "unauthenticated");

  /**
   * What a circuit breaker and outlier detection count as a failure by default: the statuses that say
   * the server or the path to it is unwell (UNKNOWN, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, INTERNAL,
   * UNAVAILABLE, DATA_LOSS). The others (NOT_FOUND, INVALID_ARGUMENT, ...) are the application's
   * answers and count as successes.
   */
  public static final Set<Integer> DEFAULT_FAILURES = Set.of(2, 4, 8, 13, 14, 15);

  private static final Map<String, Integer> BY_NAME = byName();

  private GrpcCodes() {}

  /** @return the code named {@code name}, or -1. */
  public static int code(String name) {
    return BY_NAME.getOrDefault(name, -1);
  }

  /** @return the name of {@code code} (1 to 16), or null. */
  public static String name(int code) {
    return code >= 1 && code <= NAMES.size() ? NAMES.get(code - 1) : null;
  }

  private static Map<String, Integer> byName() {
    Map<String, Integer> m = new HashMap<>();
    for (int i = 0; i < NAMES.size(); i++) {
      m.put(NAMES.get(i), i + 1);
    }
    return Map.copyOf(m);
  }
}
