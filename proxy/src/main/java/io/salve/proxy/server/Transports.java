package io.salve.proxy.server;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

/** Chooses the native epoll transport when it loads, NIO otherwise, once for the process. */
public final class Transports {
  private static final boolean EPOLL = Epoll.isAvailable() && !Boolean.getBoolean("salve.nio");

  private Transports() {}

  /** @return "epoll" or "nio". */
  public static String name() {
    return EPOLL ? "epoll" : "nio";
  }

  /** @return a new event loop group with {@code threads} loops named {@code prefix-N}. */
  public static EventLoopGroup newGroup(int threads, String prefix) {
    IoHandlerFactory factory = EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(prefix, true), factory);
  }

  /** @return the server channel class for this transport. */
  public static Class<? extends ServerSocketChannel> serverChannel() {
    return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  /** @return the client channel class for this transport. */
  public static Class<? extends SocketChannel> clientChannel() {
    return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  /**
   * @return a handler, first in a connection's pipeline, that turns the flushes made while the event
   *     loop handles one batch of ready sockets into one flush per connection at the end of it. A
   *     request forwarded upstream wakes the upstream once per batch rather than once per request,
   *     which on a shared CPU means fewer context switches and larger batches on both sides.
   */
  public static FlushConsolidationHandler consolidatedFlushes() {
    return new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true);
  }

  /** @return the datagram channel class for this transport (asynchronous DNS). */
  public static Class<? extends DatagramChannel> datagramChannel() {
    return EPOLL ? EpollDatagramChannel.class : NioDatagramChannel.class;
  }
}
