package io.salve.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;

/** Binds a retry policy, of an upstream or of a route, and the outcome lists of retry and breakers. */
final class RetryBinder {
  static final List<String> KEYS = List.of("maxAttempts", "retryOn", "retryNonIdempotent", "backoff",
      "maxElapsed", "perTryTimeout", "maxBufferedBody");
  static final List<String> BACKOFF_KEYS = List.of("initial", "max", "multiplier", "jitter");
  static final BackoffConfig DEFAULT_BACKOFF =
      new BackoffConfig(Duration.ofMillis(50), Duration.ofSeconds(1), 2.0, BackoffConfig.Jitter.FULL);
  static final FailureConditions DEFAULT_RETRY_ON = Outcomes.of("connect-failure", "reset");
  static final long DEFAULT_MAX_BUFFERED_BODY = 64 * 1024;
  /** The policy of an upstream without a {@code retry} section. */
  static final RetryConfig DEFAULT =
      new RetryConfig(2, DEFAULT_RETRY_ON, false, DEFAULT_BACKOFF, null, null, DEFAULT_MAX_BUFFERED_BODY);

  private static final Map<String, BackoffConfig.Jitter> JITTERS =
      Nodes.choices(BackoffConfig.Jitter.values(), j -> j.name().toLowerCase(java.util.Locale.ROOT));

  private final Nodes nodes;

  RetryBinder(Nodes nodes) {
    this.nodes = nodes;
  }

  /** @return the policy; keys absent from the section take the defaults of {@link #DEFAULT}. */
  RetryConfig bind(Section retry) {
    return new RetryConfig(
        retry.integer("maxAttempts", DEFAULT.maxAttempts(), 1, Integer.MAX_VALUE),
        outcomes(retry, "retryOn", DEFAULT_RETRY_ON),
        retry.bool("retryNonIdempotent", false),
        backoff(retry.section("backoff", "a map of initial, max, multiplier, jitter", BACKOFF_KEYS)),
        retry.duration("maxElapsed", null, Nodes.POSITIVE),
        retry.duration("perTryTimeout", null, Nodes.POSITIVE),
        retry.size("maxBufferedBody", DEFAULT_MAX_BUFFERED_BODY, 0, Long.MAX_VALUE));
  }

  private BackoffConfig backoff(Section backoff) {
    if (backoff == null) {
      return DEFAULT_BACKOFF;
    }
    Duration initial = backoff.duration("initial", DEFAULT_BACKOFF.initial(), Nodes.ANY);
    Duration max = backoff.duration("max", DEFAULT_BACKOFF.max(), Nodes.ANY);
    backoff.requireOrdered("initial", initial, "max", max, Durations::format);
    double multiplier = backoff.value("multiplier", DEFAULT_BACKOFF.multiplier(),
        (n, p) -> nodes.decimal(n, p, 1.0, 1000.0, "a number from 1.0 to 1000.0"));
    BackoffConfig.Jitter jitter = backoff.choice("jitter", DEFAULT_BACKOFF.jitter(), JITTERS);
    return new BackoffConfig(initial, max, multiplier, jitter);
  }

  /** @return the outcomes listed under {@code key}, e.g. {@code retryOn} or {@code failOn}, or the fallback. */
  FailureConditions outcomes(Section section, String key, FailureConditions fallback) {
    List<Node> items = section.list(key, "a list of " + Outcomes.EXPECTED);
    if (items == null) {
      return fallback;
    }
    Outcomes outcomes = new Outcomes();
    for (int i = 0; i < items.size(); i++) {
      String path = section.path(key) + "[" + i + "]";
      String token = nodes.text(items.get(i), path, Outcomes.EXPECTED);
      if (token != null && !outcomes.add(token.trim())) {
        String suggestion = DidYouMean.suggest(token.trim(), Outcomes.WORDS);
        if (suggestion != null) {
          nodes.report(items.get(i), path + ": " + token.trim() + " (did you mean '" + suggestion + "'?)");
        } else {
          nodes.invalid(items.get(i), path, Outcomes.EXPECTED);
        }
      }
    }
    return outcomes.build();
  }
}
