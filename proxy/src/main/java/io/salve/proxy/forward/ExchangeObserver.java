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
