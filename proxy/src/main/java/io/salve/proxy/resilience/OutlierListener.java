package io.salve.proxy.resilience;

/**
 * Observes ejections made by an {@link OutlierDetector}.
 *
 * <p>Called on the thread that made the change, after it took effect, exactly once per change.
 * Implementations must be fast, non-blocking and thread-safe; an exception they throw is logged and
 * otherwise ignored.
 */
public interface OutlierListener {
  /**
   * An endpoint was taken out of rotation.
   *
   * @param upstream the endpoint's upstream
   * @param endpoint the endpoint, {@code host:port}
   * @param ejectionNanos how long it stays out unless a health probe returns it sooner
   */
  void onEjected(String upstream, String endpoint, long ejectionNanos);

  /**
   * An ejected endpoint is back in rotation: its ejection expired or it was un-ejected. Not called
   * when an ejected endpoint is removed from the set by {@link OutlierDetector#setEndpoints}.
   *
   * @param upstream the endpoint's upstream
   * @param endpoint the endpoint, {@code host:port}
   */
  void onReturned(String upstream, String endpoint);
}
