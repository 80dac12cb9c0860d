package io.salve.proxy.shed;

/** Observes effective transitions of a {@link LoadStateMachine}. */
@FunctionalInterface
public interface LoadStateListener {
  /**
   * Called exactly once per effective transition, on the thread that caused it (the evaluating
   * thread, or the one forcing or clearing a state), while the machine's lock is held: keep it
   * quick. Reading the machine from here is fine.
   *
   * @param from the previous effective state
   * @param to the new effective state, never equal to {@code from}
   * @param cause why, e.g. {@code "inflight 612 >= 500"} or {@code "forced failing for 30000ms"}
   */
  void onTransition(LoadState from, LoadState to, String cause);
}
