package io.salve.proxy.shed;

import io.salve.config.Criticality;
import java.util.Locale;

/** How loaded the process is, and therefore which route criticalities are still served. */
public enum LoadState {
  /** Everything is admitted. */
  HEALTHY,
  /** Sheddable routes are refused; normal and critical routes are served. */
  DEGRADED,
  /** Only critical routes are served. */
  FAILING;

  /**
   * @param criticality the route's criticality
   * @return whether a request of that criticality is served in this state
   */
  public boolean admits(Criticality criticality) {
    return switch (this) {
      case HEALTHY -> true;
      case DEGRADED -> criticality != Criticality.SHEDDABLE;
      case FAILING -> criticality == Criticality.CRITICAL;
    };
  }

  /** @return the lower-case spelling used by the admin API and logs, e.g. {@code "degraded"}. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** @return 0 for healthy, 1 for degraded, 2 for failing; suitable for a gauge. */
  public int level() {
    return ordinal();
  }
}
