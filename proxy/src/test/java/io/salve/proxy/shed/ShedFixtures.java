package io.salve.proxy.shed;

import io.salve.config.AdaptiveConcurrencyConfig;
import io.salve.config.Criticality;
import io.salve.config.LoadSheddingConfig;
import io.salve.config.LoadThresholds;
import io.salve.config.RouteConfig;
import io.salve.config.RouteMatch;
import io.salve.proxy.route.Route;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/** Routes and configuration shared by the load shedding runtime tests. */
public final class ShedFixtures {
  public static final String LISTENER = "egress";
  static final long MS = 1_000_000L;
  static final Duration RECOVER_AFTER = Duration.ofSeconds(1);

  static final Route CRITICAL = route("checkout", "/critical", Criticality.CRITICAL);
  static final Route NORMAL = route("browse", "/normal", Criticality.NORMAL);
  public static final Route SHEDDABLE = route("report", "/report", Criticality.SHEDDABLE);

  /** Below every threshold. */
  static final LoadSignals CALM = signals(1);
  /** Crosses degradedWhen (inflight 5) only. */
  static final LoadSignals BUSY = signals(6);
  /** Crosses failingWhen (inflight 12). */
  static final LoadSignals OVERLOADED = signals(13);

  private ShedFixtures() {}

  static Route route(String name, String prefix, Criticality criticality) {
    return new Route(
        LISTENER,
        new RouteConfig(name, new RouteMatch(null, prefix, Set.of(), Map.of()), "backend", criticality, null, null, -1));
  }

  static Route routeOf(Criticality criticality) {
    return switch (criticality) {
      case CRITICAL -> CRITICAL;
      case NORMAL -> NORMAL;
      case SHEDDABLE -> SHEDDABLE;
    };
  }

  static LoadSignals signals(int inflight) {
    return new LoadSignals(inflight, 5 * MS, 0.1, 0.2, MS, 0.0);
  }

  /** degradedWhen inflight 5, failingWhen inflight 12, recoverAfter 1s, Retry-After 3s. */
  static LoadSheddingConfig config(boolean adaptive, int minLimit, int maxLimit) {
    return new LoadSheddingConfig(
        Duration.ofMillis(200),
        new LoadThresholds(5, null, null, null, null, null),
        new LoadThresholds(12, null, null, null, null, null),
        RECOVER_AFTER,
        Duration.ofSeconds(3),
        new AdaptiveConcurrencyConfig(adaptive, minLimit, maxLimit));
  }

  /**
   * @return a calm {@link LoadShedding} of {@link #config config(false, 20, 2000)} for tests outside
   *     this package (admin's load-state routes)
   */
  public static LoadShedding calmShedding(io.salve.proxy.util.Ticker ticker) {
    return new LoadShedding(
        config(false, 20, 2000),
        new RequestSignals(),
        () -> CALM,
        Map.of(LISTENER, UnlimitedLimiter.INSTANCE),
        null,
        ticker);
  }
}
