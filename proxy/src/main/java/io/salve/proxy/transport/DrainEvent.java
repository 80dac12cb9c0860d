package io.salve.proxy.transport;

/**
 * Fired down each client connection's pipeline when draining starts ({@link #INSTANCE}): a connection
 * with no exchange in flight closes, one with an exchange closes after its answer. It lives here, not in server/, so that
 * forward/ reacts to it without depending on the server that fires it.
 */
public final class DrainEvent {
  /** Draining starts: finish what is in flight, take nothing new. */
  public static final DrainEvent INSTANCE = new DrainEvent();

  /**
   * The drain timeout has passed: the connection is about to be closed. Fired just before the close,
   * so what is still open (an upgraded tunnel) can record that the drain ended it.
   */
  public static final DrainEvent DEADLINE = new DrainEvent();

  private DrainEvent() {}
}
