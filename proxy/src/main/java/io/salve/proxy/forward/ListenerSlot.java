package io.salve.proxy.forward;

import java.util.Objects;

/**
 * The current {@link ListenerContext} of one listener. A configuration reload swaps in a new
 * context; each request reads the slot once, when its head arrives, and keeps that context (routes
 * and upstreams) to its end, so requests in flight finish on what they started with.
 */
public final class ListenerSlot {
  private volatile ListenerContext current;

  /** @return the context new requests use; set before the listener accepts connections. */
  public ListenerContext current() {
    return current;
  }

  /** Publishes the context of a new configuration to requests that start from now on. */
  public void set(ListenerContext next) {
    this.current = Objects.requireNonNull(next, "next");
  }
}
