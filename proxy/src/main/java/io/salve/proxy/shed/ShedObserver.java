package io.salve.proxy.shed;

import io.salve.proxy.route.Route;

/** Hears every request {@link LoadShedding} refuses; e.g. the shed counter of metrics/ShedMetrics. */
@FunctionalInterface
public interface ShedObserver {
  /**
   * Called on the event loop of the refused request, so it must be cheap and must not block.
   *
   * @param listener the listener the request arrived on
   * @param route the route it matched
   * @param reason why it was refused
   */
  void onShed(String listener, Route route, ShedReason reason);
}
