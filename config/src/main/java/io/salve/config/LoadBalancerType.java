package io.salve.config;

/** How requests are spread over an upstream's endpoints. */
public enum LoadBalancerType {
  ROUND_ROBIN("round-robin"),
  LEAST_REQUEST("least-request"),
  RANDOM("random");

  private final String key;

  LoadBalancerType(String key) {
    this.key = key;
  }

  /** @return the YAML spelling. */
  public String key() {
    return key;
  }
}
