package io.salve.proxy.resilience;

/**
 * Observes the state transitions of a {@link CircuitBreaker}.
 *
 * <p>Called on the thread that made the transition, after it took effect, exactly once per
 * transition. Transitions made at nearly the same time on different threads may be reported in a
 * different order than they happened. Implementations must be fast, non-blocking and thread-safe;
 * an exception they throw is logged and otherwise ignored.
 */
@FunctionalInterface
public interface CircuitBreakerListener {
  /**
   * @param upstream the upstream whose breaker moved
   * @param from the state left
   * @param to the state entered
   */
  void onStateTransition(String upstream, CircuitState from, CircuitState to);
}
