package io.salve.config;

/** The shedding tier of a route; lower ordinal is shed later. */
public enum Criticality {
  CRITICAL,
  NORMAL,
  SHEDDABLE;

  /** @return the YAML spelling. */
  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
