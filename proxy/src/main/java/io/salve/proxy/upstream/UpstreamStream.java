package io.salve.proxy.upstream;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpObject;

/**
 * One request/response stream to an endpoint, lent to one exchange: the upstream side of the
 * forwarding seam. HTTP/1.1 lends a whole pooled connection ({@link UpstreamConnection}); HTTP/2
 * (h2c) lends one stream of a shared connection ({@link H2cStream}). The exchange writes request objects
 * ({@code HttpRequest}, {@code HttpContent}) and hears response objects through its {@link Listener};
 * it never sees the channel, so retries, breakers and shedding do not depend on the protocol.
 *
 * <p>Every method runs on the event loop the stream was acquired on.
 */
public interface UpstreamStream {
  /** What an exchange hears from the stream it holds. All calls happen on the event loop. */
  interface Listener {
    /** A response part; ownership passes to the listener. */
    void onResponseObject(HttpObject msg);

    /** The stream (its connection) closed. */
    void onUpstreamClosed();

    /** The stream failed; it will be closed. */
    void onUpstreamError(Throwable cause);

    /** No bytes moved either way for the upstream idle timeout. */
    void onUpstreamIdle();

    /** The stream's writability changed (backpressure). */
    void onUpstreamWritabilityChanged(boolean writable);
  }

  /** @return the endpoint the stream goes to. */
  Endpoint endpoint();

  /**
   * @return whether the stream's connection carried a request before this one (a failure on a reused
   *     connection may be a stale keep-alive rather than the endpoint's fault)
   */
  boolean isReused();

  /** Writes a request part without flushing; ownership passes to the stream. */
  void write(HttpObject msg);

  /** Writes a request part and flushes; ownership passes to the stream. */
  void writeAndFlush(HttpObject msg);

  void flush();

  /** @return whether a request part written now would be sent without queueing (backpressure). */
  boolean isWritable();

  /** Pauses ({@code false}) or resumes reading the response, as the client side drains. */
  void setAutoRead(boolean autoRead);

  /** Request bytes went out: the stream is active, not idle. */
  void touch();

  /**
   * Gives the stream back; after this the listener hears nothing more.
   *
   * @param reusable whether the exchange left it clean (full request written, full response read)
   */
  void release(boolean reusable);

  /**
   * Takes the stream out of its pool for an upgraded tunnel (after a 101): the listener hears
   * nothing more, its idle timeout stops, and the connection is never reused; the tunnel closes it.
   *
   * @return the channel the tunnel relays bytes on
   * @throws UnsupportedOperationException when this stream cannot be upgraded (an HTTP/2 stream)
   */
  default Channel detachForTunnel() {
    throw new UnsupportedOperationException("this stream cannot be upgraded");
  }

  /**
   * Removes the HTTP handlers after {@link io.salve.proxy.forward.Tunnel#open}: the response handler
   * before the codec, so bytes the codec still holds reach the tunnel's relay.
   */
  default void dropHttpHandlers() {
    throw new UnsupportedOperationException("this stream cannot be upgraded");
  }
}
