package io.salve.proxy.forward;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpObject;

/**
 * Where an exchange's request came from and where its answer goes: the client side of the
 * forwarding seam. HTTP/1.1 implements it per connection ({@link Http1ClientSide}); an HTTP/2
 * implementation would be one stream. Response parts are {@code HttpObject}s whatever the protocol.
 *
 * <p>Every method runs on {@link #eventLoop()}, the thread the exchange lives on.
 */
interface ClientSide {
  /** @return the loop the exchange runs and schedules its timers on; upstream streams live on it too. */
  EventLoop eventLoop();

  ByteBufAllocator alloc();

  /** @return whether a response part written now is sent without queueing (backpressure). */
  boolean isWritable();

  /** Asks for the next part of the request body; demand is coalesced, so calling twice is harmless. */
  void readMore();

  /** Writes a response part without flushing; ownership passes to the client side. */
  void write(HttpObject msg);

  /** Writes a response part and flushes; ownership passes to the client side. */
  ChannelFuture writeAndFlush(HttpObject msg);

  /** Ends the connection (or stream) at once: the honest signal once part of a response is out. */
  void close();

  /**
   * The exchange has ended; its response (or its last part) is being written.
   *
   * @param closeClient whether the connection closes after this response
   * @param requestRead whether the request's last part was received
   */
  void exchangeFinished(boolean closeClient, boolean requestRead);

  /**
   * The connection was upgraded (a 101 was written): the channel the {@link Tunnel} relays bytes on.
   *
   * @throws UnsupportedOperationException when this side cannot be upgraded (an HTTP/2 stream)
   */
  default Channel tunnelChannel() {
    throw new UnsupportedOperationException("this client side cannot be upgraded");
  }

  /**
   * Removes this side's HTTP handlers after {@link Tunnel#open}: the response handler before the
   * decoder, so bytes the decoder still holds reach the tunnel's relay. The exchange is over; no
   * further request is read.
   */
  default void dropHttpHandlers() {
    throw new UnsupportedOperationException("this client side cannot be upgraded");
  }
}
