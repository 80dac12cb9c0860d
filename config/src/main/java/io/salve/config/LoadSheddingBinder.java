package io.salve.config;

import java.time.Duration;
import java.util.List;

/** Binds {@code loadShedding}: signal thresholds per tier and the adaptive concurrency limit. */
final class LoadSheddingBinder {
  static final List<String> KEYS =
      List.of("interval", "degradedWhen", "failingWhen", "recoverAfter", "retryAfter", "adaptiveConcurrency");
  static final List<String> THRESHOLD_KEYS =
      List.of("inflight", "latencyP99", "cpu", "heap", "eventLoopDelay", "errorRate");
  static final List<String> ADAPTIVE_KEYS = List.of("enabled", "minLimit", "maxLimit");
  static final AdaptiveConcurrencyConfig DEFAULT_ADAPTIVE = new AdaptiveConcurrencyConfig(false, 20, 2000);
  static final LoadSheddingConfig DEFAULT = new LoadSheddingConfig(Duration.ofSeconds(1), LoadThresholds.none(),
      LoadThresholds.none(), Duration.ofSeconds(10), Duration.ofSeconds(5), DEFAULT_ADAPTIVE);

  private LoadSheddingBinder() {}

  /** @return the settings, with the defaults of {@link #DEFAULT} for what is absent. */
  static LoadSheddingConfig bind(Section ls) {
    if (ls == null) {
      return DEFAULT;
    }
    return new LoadSheddingConfig(
        ls.duration("interval", DEFAULT.interval(), Nodes.POSITIVE),
        thresholds(ls.section("degradedWhen", "a map of signal thresholds", THRESHOLD_KEYS)),
        thresholds(ls.section("failingWhen", "a map of signal thresholds", THRESHOLD_KEYS)),
        ls.duration("recoverAfter", DEFAULT.recoverAfter(), Nodes.ANY),
        ls.duration("retryAfter", DEFAULT.retryAfter(), Nodes.ANY),
        adaptive(ls.section("adaptiveConcurrency", "a map of enabled, minLimit, maxLimit", ADAPTIVE_KEYS)));
  }

  private static LoadThresholds thresholds(Section t) {
    if (t == null) {
      return LoadThresholds.none();
    }
    return new LoadThresholds(
        t.integer("inflight", null, 1, Integer.MAX_VALUE),
        t.duration("latencyP99", null, Nodes.POSITIVE),
        t.fraction("cpu", null),
        t.fraction("heap", null),
        t.duration("eventLoopDelay", null, Nodes.POSITIVE),
        t.fraction("errorRate", null));
  }

  private static AdaptiveConcurrencyConfig adaptive(Section a) {
    if (a == null) {
      return DEFAULT_ADAPTIVE;
    }
    int min = a.integer("minLimit", DEFAULT_ADAPTIVE.minLimit(), 1, Integer.MAX_VALUE);
    int max = a.integer("maxLimit", DEFAULT_ADAPTIVE.maxLimit(), 1, Integer.MAX_VALUE);
    a.requireOrdered("minLimit", min, "maxLimit", max, String::valueOf);
    return new AdaptiveConcurrencyConfig(a.bool("enabled", DEFAULT_ADAPTIVE.enabled()), min, max);
  }
}
