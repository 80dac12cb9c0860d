package io.salve.proxy.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.ConnectException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The h2c connections to one endpoint from one event loop, and the streams they carry. Every method
 * runs on that loop, so the pool needs no lock; connections and streams never move between loops.
 *
 * <p>A stream goes to the busiest connection still below the peer's SETTINGS_MAX_CONCURRENT_STREAMS
 * ({@link H2cSlots#pick}). When none has room, the acquirer waits, and connections open for the
 * waiters (as many as the peer's last known limit says are needed) up to {@code maxConnections};
 * a waiter gives up after the connect timeout ({@link PoolExhaustedException}). A connection that
 * received GOAWAY takes no new stream and no longer counts against the limit; its streams finish.
 */
final class H2cPool implements StreamPool {
  private record Waiter(Promise<UpstreamStream> promise, UpstreamStream.Listener listener, ScheduledFuture<?> timeout) {}

  private final Endpoint endpoint;
  private final EventLoop loop;
  private final UpstreamSettings settings;
  private final Bootstrap bootstrap;
  private final int maxConnections;
  private final long connectTimeoutMillis;
  private final List<H2cConnection> connections = new ArrayList<>();
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
  /** The streams a new connection is expected to take: the peer's last announced limit. */
  private long expectedStreams = Long.MAX_VALUE;

  H2cPool(Endpoint endpoint, EventLoop loop, UpstreamSettings settings) {
    this.endpoint = endpoint;
    this.loop = loop;
    this.settings = settings;
    this.maxConnections = settings.maxConnectionsPerLoop();
    this.connectTimeoutMillis = settings.connectTimeoutMillis();
    long idleNanos = TimeUnit.MILLISECONDS.toNanos(settings.idleTimeoutMillis());
    this.bootstrap = settings.bootstrap(loop, endpoint, ch -> {
      H2cConnection connection = new H2cConnection(endpoint, this, idleNanos);
      connections.add(connection);
      ch.pipeline()
          .addLast("h2", Http2FrameCodecBuilder.forClient()
              .initialSettings(Http2Settings.defaultSettings()
                  .pushEnabled(false)
                  .maxHeaderListSize(settings.decoderConfig().getMaxHeaderSize()))
              .build())
          // Streams are opened by salve only (push is off): no handler for inbound ones.
          .addLast("streams", new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()))
          .addLast("connection", connection);
    });
  }

  @Override
  public Future<UpstreamStream> acquire(UpstreamStream.Listener listener) {
    Promise<UpstreamStream> promise = loop.newPromise();
    if (!waiters.isEmpty()) {
      waiters.removeIf(w -> w.promise().isDone()); // a live waiter means no room; one that gave up does not
    }
    int i = waiters.isEmpty() ? H2cSlots.pick(connections) : -1;
    if (i >= 0) {
      connections.get(i).openStream(listener, promise);
      return promise;
    }
    ScheduledFuture<?> timeout = loop.schedule(() -> timedOut(promise), connectTimeoutMillis, TimeUnit.MILLISECONDS);
    waiters.addLast(new Waiter(promise, listener, timeout));
    openForWaiters();
    return promise;
  }

  /**
   * A waiter's connect timeout passed. While a connection is still being opened (TCP connect or the
   * HTTP/2 preface), the endpoint is slow to connect: a connect failure, retried and judged as such.
   * Otherwise every connection is full: local overload, as in the HTTP/1.1 pool.
   */
  private void timedOut(Promise<UpstreamStream> promise) {
    boolean connecting = false;
    for (H2cConnection c : connections) {
      connecting |= !c.isReady();
    }
    promise.tryFailure(connecting
        ? new ConnectTimeoutException("no HTTP/2 connection to " + endpoint.key() + " became ready in time")
        : new PoolExhaustedException());
  }

  /** Opens the connections the waiters need beyond those being opened, within the limit. */
  private void openForWaiters() {
    waiters.removeIf(w -> w.promise().isDone()); // gave up (timed out): they need no connection
    int connecting = 0;
    int counted = 0;
    for (H2cConnection c : connections) {
      if (!c.isReady()) {
        connecting++;
      }
      if (!c.isGoingAway()) {
        counted++;
      }
    }
    for (int n = H2cSlots.toOpen(waiters.size(), connecting, expectedStreams, counted, maxConnections); n > 0; n--) {
      connect();
    }
  }

  private void connect() {
    endpoint.openConnections().incrementAndGet();
    ChannelFuture f = bootstrap.connect(endpoint.socketAddress());
    f.addListener(
        future -> {
          if (!future.isSuccess()) {
            // A channel that never became active gets no channelInactive: account for it here.
            H2cConnection c = f.channel().pipeline().get(H2cConnection.class);
            if (c != null) {
              connections.remove(c);
            }
            endpoint.openConnections().decrementAndGet();
            failWaiters(future.cause());
            return;
          }
          // Over TLS the upstream must agree to h2 by ALPN; then (or at once, in h2c) its SETTINGS are
          // due with its preface: a silent peer is a failed connect.
          UpstreamTlsHandshake.await(f.channel(), settings, endpoint, "h2", () -> { }, tlsFailure -> {
            H2cConnection c = f.channel().pipeline().get(H2cConnection.class);
            if (c == null || c.markFailed()) {
              failWaiters(tlsFailure);
            }
          });
          loop.schedule(() -> {
            H2cConnection c = f.channel().pipeline().get(H2cConnection.class);
            if (c != null && !c.isReady()) {
              f.channel().close();
            }
          }, connectTimeoutMillis, TimeUnit.MILLISECONDS);
        });
  }

  /** A connection that was to serve waiters failed: as many as it would have served fail with it. */
  private void failWaiters(Throwable cause) {
    long n = Math.min(expectedStreams, waiters.size());
    for (long i = 0; i < n; i++) {
      Waiter w = waiters.pollFirst();
      w.timeout().cancel(false);
      w.promise().tryFailure(cause);
    }
    openForWaiters();
  }

  /** The peer's first SETTINGS arrived: the connection takes streams. */
  void connectionReady(H2cConnection connection) {
    expectedStreams = Math.max(1, connection.maxStreams());
    dispatch();
  }

  /** A stream ended, or a peer raised its limit: waiters may go now. */
  void slotFreed() {
    dispatch();
  }

  void goingAway(H2cConnection connection) {
    openForWaiters(); // it no longer counts against the limit: waiters may get a new connection
  }

  /** Called once, from channelInactive, for each connection that became active. */
  void closed(H2cConnection connection) {
    endpoint.openConnections().decrementAndGet();
    connections.remove(connection);
    if (!connection.isReady() && connection.markFailed()) {
      failWaiters(new ConnectException("connection closed before the HTTP/2 preface completed"));
    } else {
      openForWaiters(); // also after a TLS failure, whose waiters already failed: the rest may get another
    }
  }

  private void dispatch() {
    Waiter w;
    while ((w = waiters.peekFirst()) != null) {
      if (w.promise().isDone()) {
        waiters.pollFirst();
        continue;
      }
      int i = H2cSlots.pick(connections);
      if (i < 0) {
        break;
      }
      waiters.pollFirst();
      w.timeout().cancel(false);
      connections.get(i).openStream(w.listener(), w.promise());
    }
    if (!waiters.isEmpty()) {
      openForWaiters();
    }
  }

  @Override
  public void drainIdle() {
    for (H2cConnection c : List.copyOf(connections)) {
      if (c.isReady() && c.activeStreams() == 0) {
        c.close();
      }
    }
  }
}
