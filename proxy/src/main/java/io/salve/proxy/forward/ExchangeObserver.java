package io.salve.proxy.forward;

/**
 * Hears what the forwarding path does, so metrics and the access log attach without the forwarding
 * code knowing meter names. Called on event loops: implementations must not block.
 */
public interface ExchangeObserver {
  /** A request was received and routed (or not) on {@code listener}. */
  void onRequestStarted(String listener);

  /** A request ended; called exactly once per started request. */
  void onRequestEnded(ExchangeRecord record);

  /**
   * One upstream attempt ended.
   *
   * @param outcome {@code success} for any response, or a failure reason such as {@code connect_failure}
   */
  void onAttemptEnded(String upstream, String endpoint, String outcome);

  /**
   * A request was refused locally before reaching the upstream.
   *
   * @param reason {@code overloaded} (bulkhead) or {@code circuit_open}
   */
  default void onRejected(String upstream, String reason) {}

  /**
   * A retry was scheduled.
   *
   * @param reason the outcome that is retried, e.g. {@code reset} or {@code 503}
   */
  default void onRetry(String upstream, String reason) {}

  /** A retry was wanted but the upstream's retry budget was spent. */
  default void onRetryBudgetExhausted(String upstream) {}

  /** A connection of {@code listener} was upgraded (after a 101) and is now a tunnel. */
  default void onTunnelOpened(String listener) {}

  /**
   * A tunnel opened on {@code listener} ended; called once per opened tunnel.
   *
   * @param bytesToUpstream bytes relayed from the client to the upstream over the tunnel's life
   * @param bytesToClient bytes relayed from the upstream to the client
   */
  default void onTunnelClosed(String listener, Tunnel.End end, long bytesToUpstream, long bytesToClient) {}

  /** An observer that does nothing. */
  ExchangeObserver NONE =
      new ExchangeObserver() {
        @Override
        public void onRequestStarted(String listener) {}

        @Override
        public void onRequestEnded(ExchangeRecord record) {}

        @Override
        public void onAttemptEnded(String upstream, String endpoint, String outcome) {}
      };
}
