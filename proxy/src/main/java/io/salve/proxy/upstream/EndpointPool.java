package io.salve.proxy.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import io.salve.proxy.transport.Transports;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The keep-alive connections to one endpoint from one event loop. Every method runs on that loop,
 * so the pool needs no lock; connections never move between loops.
 *
 * <p>Idle connections are reused last-in first-out, so a burst's extra connections age out through
 * the idle timeout while the hot ones stay warm. When {@code maxConnections} are open, acquirers
 * wait (up to the connect timeout) for a connection to be released or closed.
 */
final class EndpointPool implements StreamPool {
  private record Waiter(
      Promise<UpstreamConnection> promise, UpstreamStream.Listener listener, ScheduledFuture<?> timeout) {}

  private final Endpoint endpoint;
  private final EventLoop loop;
  private final Bootstrap bootstrap;
  private final UpstreamSettings settings;
  private final int maxConnections;
  private final long waitTimeoutMillis;
  private final ArrayDeque<UpstreamConnection> idle = new ArrayDeque<>();
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
  private int open;

  EndpointPool(Endpoint endpoint, EventLoop loop, UpstreamSettings settings) {
    this.endpoint = endpoint;
    this.loop = loop;
    this.settings = settings;
    this.maxConnections = settings.maxConnectionsPerLoop();
    this.waitTimeoutMillis = settings.connectTimeoutMillis();
    long idleNanos = TimeUnit.MILLISECONDS.toNanos(settings.idleTimeoutMillis());
    this.bootstrap = settings.bootstrap(loop, endpoint, ch -> ch.pipeline()
        .addLast("flush", Transports.consolidatedFlushes())
        .addLast("codec", new UpstreamCodec(settings.decoderConfig()))
        .addLast("connection", new UpstreamConnection(endpoint, this, idleNanos)));
  }

  /** @return a future completed on this loop with a connection lent to {@code listener}. */
  @Override
  public Future<UpstreamConnection> acquire(UpstreamStream.Listener listener) {
    Promise<UpstreamConnection> promise = loop.newPromise();
    UpstreamConnection conn;
    while ((conn = idle.pollFirst()) != null) {
      endpoint.idleConnections().decrementAndGet();
      if (conn.channel().isActive()) {
        conn.lend(listener);
        return promise.setSuccess(conn);
      }
    }
    if (open < maxConnections) {
      connect(promise, listener);
    } else {
      ScheduledFuture<?> timeout =
          loop.schedule(
              () -> promise.tryFailure(new PoolExhaustedException()), waitTimeoutMillis, TimeUnit.MILLISECONDS);
      waiters.addLast(new Waiter(promise, listener, timeout));
    }
    return promise;
  }

  private void connect(Promise<UpstreamConnection> promise, UpstreamStream.Listener listener) {
    open++;
    endpoint.openConnections().incrementAndGet();
    ChannelFuture f = bootstrap.connect(endpoint.socketAddress());
    f.addListener(
        future -> {
          if (future.isSuccess()) {
            // A TLS connection is lent only once its handshake succeeded; a failed one fails the
            // acquire (nothing was sent) and closes, which closed() accounts for.
            UpstreamTlsHandshake.await(f.channel(), settings, endpoint, null,
                () -> connected(f.channel(), promise, listener), promise::tryFailure);
          } else {
            // A channel that never became active gets no channelInactive: account for it here.
            connectionGone();
            promise.tryFailure(future.cause());
          }
        });
  }

  private void connected(Channel ch, Promise<UpstreamConnection> promise, UpstreamStream.Listener listener) {
    UpstreamConnection c = ch.pipeline().get(UpstreamConnection.class);
    c.lend(listener);
    if (!promise.trySuccess(c)) {
      c.release(true); // the acquirer gave up meanwhile; keep the fresh connection
    }
  }

  void release(UpstreamConnection conn, boolean reusable) {
    if (!reusable) {
      conn.channel().close();
      return;
    }
    Waiter w;
    while ((w = waiters.pollFirst()) != null) {
      w.timeout().cancel(false);
      if (!w.promise().isDone()) {
        conn.lend(w.listener());
        w.promise().setSuccess(conn);
        return;
      }
    }
    idle.addFirst(conn);
    endpoint.idleConnections().incrementAndGet();
  }

  /** Called exactly once, from channelInactive, for each connection that became active. */
  void closed(UpstreamConnection conn) {
    if (idle.remove(conn)) {
      endpoint.idleConnections().decrementAndGet();
    }
    connectionGone();
  }

  private void connectionGone() {
    open--;
    endpoint.openConnections().decrementAndGet();
    Waiter w;
    while (open < maxConnections && (w = waiters.pollFirst()) != null) {
      w.timeout().cancel(false);
      if (!w.promise().isDone()) {
        connect(w.promise(), w.listener());
      }
    }
  }

  /** Closes every idle connection (e.g. after the endpoint recovered, so no stale one is reused). */
  @Override
  public void drainIdle() {
    UpstreamConnection c;
    while ((c = idle.pollFirst()) != null) {
      endpoint.idleConnections().decrementAndGet();
      c.channel().close();
    }
  }
}
