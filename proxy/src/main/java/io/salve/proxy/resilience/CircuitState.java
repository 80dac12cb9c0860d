package io.salve.proxy.resilience;

/** The state of a {@link CircuitBreaker}. */
public enum CircuitState {
  /** Requests flow; failures are counted. */
  CLOSED("closed"),
  /** Requests are refused until the open duration has elapsed. */
  OPEN("open"),
  /** A few trial requests decide whether to close or reopen. */
  HALF_OPEN("half_open");

  private final String key;

  CircuitState(String key) {
    this.key = key;
  }

  /** @return the lower-case label used in metrics, logs and the admin API. */
  public String key() {
    return key;
  }
}
