package io.salve.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Accumulates {@code retryOn}/{@code failOn} tokens (gRPC status names too) into a {@link FailureConditions}. */
final class Outcomes {
  static final String EXPECTED =
      "connect-failure, reset, timeout, 5xx, gateway-error (502, 503, 504), a status code 100..599"
          + " or a gRPC status name such as unavailable, deadline-exceeded, resource-exhausted";
  /** The words (not status codes) a token may be, for did-you-mean suggestions. */
  static final List<String> WORDS = words();
  private static final Pattern STATUS = Pattern.compile("[1-5]\\d\\d");

  private boolean connectFailure;
  private boolean reset;
  private boolean timeout;
  private boolean any5xx;
  private final Set<Integer> statuses = new TreeSet<>();
  private final Set<Integer> grpcStatuses = new TreeSet<>();

  /** @return conditions made of {@code tokens}, which must all be valid. */
  static FailureConditions of(String... tokens) {
    Outcomes outcomes = new Outcomes();
    for (String token : tokens) {
      if (!outcomes.add(token)) {
        throw new IllegalArgumentException(token);
      }
    }
    return outcomes.build();
  }

  /** @return false when {@code token} is not one of {@link #EXPECTED}. */
  boolean add(String token) {
    switch (token) {
      case "connect-failure" -> connectFailure = true;
      case "reset" -> reset = true;
      case "timeout" -> timeout = true;
      case "5xx" -> any5xx = true;
      case "gateway-error" -> statuses.addAll(Set.of(502, 503, 504));
      default -> {
        int grpc = GrpcCodes.code(token);
        if (grpc > 0) {
          grpcStatuses.add(grpc);
          return true;
        }
        if (!STATUS.matcher(token).matches()) {
          return false;
        }
        statuses.add(Integer.parseInt(token));
      }
    }
    return true;
  }

  FailureConditions build() {
    return new FailureConditions(connectFailure, reset, timeout, any5xx, statuses, grpcStatuses);
  }

  private static List<String> words() {
    List<String> w = new ArrayList<>(List.of("connect-failure", "reset", "timeout", "5xx", "gateway-error"));
    w.addAll(GrpcCodes.NAMES);
    return List.copyOf(w);
  }
}
