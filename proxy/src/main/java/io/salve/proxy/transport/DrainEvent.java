package io.salve.proxy.transport;

/**
 * Fired down each client connection's pipeline when draining starts: a connection with no exchange in
 * flight closes, one with an exchange closes after its answer. It lives here, not in server/, so that
 * forward/ reacts to it without depending on the server that fires it.
 */
public final class DrainEvent {
  public static final DrainEvent INSTANCE = new DrainEvent();

  private DrainEvent() {}
}
