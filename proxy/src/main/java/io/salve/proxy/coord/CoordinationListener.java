package io.salve.proxy.coord;

/** Observes coordination for metrics. Called on the coordination thread; must not block. */
public interface CoordinationListener extends ConnectivityListener {
  /** An election this instance takes part in; called once, before any change. */
  default void onElection(String election) {}

  /** The leader, self or fencing token of an election changed. */
  default void onLeaderChange(LeaderView previous, LeaderView current) {}
}
