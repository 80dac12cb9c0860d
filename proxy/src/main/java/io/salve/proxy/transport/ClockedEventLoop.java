package io.salve.proxy.transport;

import io.netty.channel.IoEventLoop;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SingleThreadIoEventLoop;
import io.netty.util.concurrent.Ticker;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;

/**
 * Netty's I/O event loop with a second, coarse clock ({@link #passTicker()}) that is read at most
 * once per pass of the loop. {@link RollingTimer} uses it when its executor is one of these.
 */
public final class ClockedEventLoop extends SingleThreadIoEventLoop {
  private final IterationTicker passTicker = new IterationTicker(ticker());

  private ClockedEventLoop(IoEventLoopGroup parent, Executor executor, IoHandlerFactory factory) {
    super(parent, executor, factory);
  }

  /**
   * @return a clock that gives the same value for everything done in one pass of this loop (the I/O
   *     it found ready, then its tasks); use it from this loop's thread only
   */
  public Ticker passTicker() {
    return passTicker;
  }

  @Override
  protected int runIo() {
    passTicker.newPass(); // before the wait for I/O, so the first read after it is fresh
    return super.runIo();
  }

  /** A group of {@link ClockedEventLoop}s. */
  static final class Group extends MultiThreadIoEventLoopGroup {
    Group(int threads, ThreadFactory threadFactory, IoHandlerFactory factory) {
      super(threads, threadFactory, factory);
    }

    @Override
    protected IoEventLoop newChild(Executor executor, IoHandlerFactory factory, Object... args) {
      return new ClockedEventLoop(this, executor, factory);
    }
  }
}
