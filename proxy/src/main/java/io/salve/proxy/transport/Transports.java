package io.salve.proxy.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
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
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.salve.proxy.transport.TransportChoice.Transport;
import org.slf4j.LoggerFactory;

/**
 * The socket transport for the whole process, chosen once by {@link TransportChoice} from
 * {@code -Dsalve.transport=io_uring|epoll|nio} (or the older {@code -Dsalve.nio=true}) and what loads.
 */
public final class Transports {
  /** The system property that asks for a transport. */
  public static final String PROPERTY = "salve.transport";

  private static final Transport TRANSPORT = choose();

  private Transports() {}

  private static Transport choose() {
    TransportChoice choice =
        TransportChoice.choose(System.getProperty(PROPERTY), Boolean.getBoolean("salve.nio"), TransportChoice.netty());
    if (choice.fallback() != null && choice.asked()) {
      LoggerFactory.getLogger(Transports.class).warn("{}", choice.fallback());
    } else if (choice.fallback() != null) {
      LoggerFactory.getLogger(Transports.class).info("{}", choice.fallback());
    }
    return choice.transport();
  }

  /** @return "io_uring", "epoll" or "nio". */
  public static String name() {
    return TRANSPORT.key();
  }

  /**
   * @return a new group of {@code threads} {@link ClockedEventLoop}s named {@code prefix-N}
   */
  public static EventLoopGroup newGroup(int threads, String prefix) {
    IoHandlerFactory factory =
        switch (TRANSPORT) {
          case IO_URING -> IoUringIoHandler.newFactory();
          case EPOLL -> EpollIoHandler.newFactory();
          case NIO -> NioIoHandler.newFactory();
        };
    return new ClockedEventLoop.Group(threads, new DefaultThreadFactory(prefix, true), factory);
  }

  /** @return the server channel class for this transport. */
  public static Class<? extends ServerSocketChannel> serverChannel() {
    return switch (TRANSPORT) {
      case IO_URING -> IoUringServerSocketChannel.class;
      case EPOLL -> EpollServerSocketChannel.class;
      case NIO -> NioServerSocketChannel.class;
    };
  }

  /** @return the client channel class for this transport. */
  public static Class<? extends SocketChannel> clientChannel() {
    return switch (TRANSPORT) {
      case IO_URING -> IoUringSocketChannel.class;
      case EPOLL -> EpollSocketChannel.class;
      case NIO -> NioSocketChannel.class;
    };
  }

  /**
   * @return a handler, first in a connection's pipeline, that turns the flushes made while the event
   *     loop handles one batch of ready sockets into one flush per connection at the end of it. A
   *     request forwarded upstream wakes the upstream once per batch rather than once per request,
   *     which on a shared CPU means fewer context switches and larger batches on both sides.
   */
  public static ConsolidatedFlushes consolidatedFlushes() {
    return new ConsolidatedFlushes();
  }

  /** @return the datagram channel class for this transport (asynchronous DNS). */
  public static Class<? extends DatagramChannel> datagramChannel() {
    return switch (TRANSPORT) {
      case IO_URING -> IoUringDatagramChannel.class;
      case EPOLL -> EpollDatagramChannel.class;
      case NIO -> NioDatagramChannel.class;
    };
  }
}
