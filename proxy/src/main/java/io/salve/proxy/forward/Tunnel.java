package io.salve.proxy.forward;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.concurrent.ScheduledFuture;
import io.salve.proxy.util.Ticker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * An upgraded (WebSocket) connection after the upstream's 101: raw bytes relayed both ways between
 * the client channel and the upstream channel until either side closes, an error occurs, the tunnel
 * stays idle for its {@code upgradeIdleTimeout}, or {@link #close} is called (drain).
 *
 * <p>{@link #open} must be called on the client channel's event loop after the 101 head was written
 * and before the HTTP codecs are removed from both pipelines: removing a decoder hands its leftover
 * bytes (those that arrived in the same read as the 101 head, or pipelined behind the upgrade
 * request) to the next handler, which is then this tunnel's relay, so none are lost. The upstream
 * channel is never returned to a pool: the tunnel closes it. Both channels are expected on the same
 * event loop (salve's upstream pools are per event loop), so the tunnel's state needs no locking.
 */
public final class Tunnel {
  /** How a tunnel ended, for metrics and the access log. */
  public enum End {
    CLIENT_CLOSED,
    UPSTREAM_CLOSED,
    IDLE_TIMEOUT,
    DRAIN,
    ERROR
  }

  /** Told once, on the client channel's event loop, when a tunnel ends. */
  @FunctionalInterface
  public interface Listener {
    void ended(Tunnel tunnel, End end);
  }

  static final String CLIENT_RELAY = "salve-tunnel-client";
  static final String UPSTREAM_RELAY = "salve-tunnel-upstream";

  private final Channel client;
  private final Channel upstream;
  private final Ticker ticker;
  private final long idleNanos;
  private final Listener listener;
  private long lastActivity;
  private long bytesToUpstream;
  private long bytesToClient;
  private End end;
  private ScheduledFuture<?> idleCheck;

  private Tunnel(
      Channel client, Channel upstream, Ticker ticker, Duration idleTimeout, Listener listener) {
    this.client = client;
    this.upstream = upstream;
    this.ticker = ticker;
    this.idleNanos = idleTimeout.toNanos();
    this.listener = listener;
    this.lastActivity = ticker.nanos();
  }

  /**
   * Installs the relays at the tail of both pipelines, starts reading on both sides and arms the
   * idle timeout. The caller then removes its HTTP handlers from both pipelines.
   */
  public static Tunnel open(
      Channel client,
      Channel upstream,
      Ticker ticker,
      Duration idleTimeout,
      Listener listener) {
    Tunnel tunnel = new Tunnel(client, upstream, ticker, idleTimeout, listener);
    client.pipeline().addLast(CLIENT_RELAY, new TunnelRelay(tunnel, upstream, false));
    upstream.pipeline().addLast(UPSTREAM_RELAY, new TunnelRelay(tunnel, client, true));
    tunnel.armIdleCheck(tunnel.idleNanos);
    if (!client.isActive()) {
      tunnel.close(End.CLIENT_CLOSED);
    } else if (!upstream.isActive()) {
      tunnel.close(End.UPSTREAM_CLOSED);
    } else {
      client.read();
      upstream.read();
    }
    return tunnel;
  }

  /** Bytes relayed to the upstream so far. */
  public long bytesToUpstream() {
    return bytesToUpstream;
  }

  /** Bytes relayed to the client so far. */
  public long bytesToClient() {
    return bytesToClient;
  }

  /** @return whether the tunnel has ended. */
  public boolean isClosed() {
    return end != null;
  }

  void transferred(boolean fromUpstream, int bytes) {
    lastActivity = ticker.nanos();
    if (fromUpstream) {
      bytesToClient += bytes;
    } else {
      bytesToUpstream += bytes;
    }
  }

  /**
   * Ends the tunnel: both channels are closed once what was already written to them has been
   * flushed, so a half-close on one side ends the other side too. Idempotent.
   */
  public void close(End why) {
    if (!client.eventLoop().inEventLoop()) {
      client.eventLoop().execute(() -> close(why));
      return;
    }
    if (end != null) {
      return;
    }
    end = why;
    if (idleCheck != null) {
      idleCheck.cancel(false);
    }
    closeOnFlush(client);
    closeOnFlush(upstream);
    listener.ended(this, why);
  }

  private void armIdleCheck(long delayNanos) {
    idleCheck = client.eventLoop().schedule(this::checkIdle, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void checkIdle() {
    if (end != null) {
      return;
    }
    long idle = ticker.nanos() - lastActivity;
    if (idle >= idleNanos) {
      close(End.IDLE_TIMEOUT);
    } else {
      armIdleCheck(idleNanos - idle);
    }
  }

  private static void closeOnFlush(Channel channel) {
    if (channel.isActive()) {
      channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    } else {
      channel.close();
    }
  }

}
