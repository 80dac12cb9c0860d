package io.salve.proxy.health.probe;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.ScheduledFuture;
import io.salve.proxy.health.ProbeResult;
import io.salve.proxy.upstream.Endpoint;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The part every socket-based prober shares: connect with the probe timeout, enforce that timeout
 * for the whole probe with a task scheduled on the loop, report exactly once and close the channel.
 */
abstract class ChannelProber implements Prober {

  private final Class<? extends Channel> channelClass;
  private final AddressResolverGroup<? extends SocketAddress> resolver;
  private final long timeoutMillis;

  ChannelProber(
      Class<? extends Channel> channelClass,
      AddressResolverGroup<? extends SocketAddress> resolver,
      Duration timeout) {
    this.channelClass = Objects.requireNonNull(channelClass, "channelClass");
    this.resolver = Objects.requireNonNull(resolver, "resolver");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("probe timeout must be positive: " + timeout);
    }
    this.timeoutMillis = Math.max(1, timeout.toMillis());
  }

  @Override
  public final void probe(Endpoint endpoint, EventLoop loop, Consumer<ProbeResult> done) {
    Attempt attempt = new Attempt(done);
    Bootstrap bootstrap =
        new Bootstrap()
            .group(loop)
            .channel(channelClass)
            .resolver(resolver)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeoutMillis))
            .option(ChannelOption.TCP_NODELAY, true)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    initPipeline(ch, endpoint, attempt);
                  }
                });
    // The timeout covers the whole probe (resolution, connect, request, response head).
    attempt.timeout =
        loop.schedule(
            () -> attempt.complete(ProbeResult.fail("timeout after " + timeoutMillis + "ms")),
            timeoutMillis,
            TimeUnit.MILLISECONDS);
    ChannelFuture connect = bootstrap.connect(endpoint.socketAddress());
    attempt.attach(connect.channel());
    connect.addListener(
        f -> {
          if (!f.isSuccess()) {
            attempt.complete(ProbeResult.fail("connect failed: " + describe(f.cause())));
          } else {
            onConnected(connect.channel(), attempt);
          }
        });
  }

  /** Adds the protocol handlers, if any; called on the loop before the connection is made. */
  abstract void initPipeline(Channel ch, Endpoint endpoint, Attempt attempt);

  /** The connection is up: pass now (tcp) or wait for the handlers to complete the attempt. */
  abstract void onConnected(Channel ch, Attempt attempt);

  static String describe(Throwable t) {
    if (t == null) {
      return "unknown error";
    }
    if (t instanceof ConnectException && t.getMessage() != null) {
      // Netty appends ": /address" to the reason; the log line already names the endpoint.
      String m = t.getMessage();
      int address = m.lastIndexOf(": /");
      return address > 0 ? m.substring(0, address) : m;
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  /**
   * One probe in flight. Everything touching it runs on the probe's event loop (connect listener,
   * handlers, timeout task), so the once-guard needs no synchronisation.
   */
  static final class Attempt {
    private final Consumer<ProbeResult> done;
    private boolean completed;
    private Channel channel;
    ScheduledFuture<?> timeout;

    Attempt(Consumer<ProbeResult> done) {
      this.done = done;
    }

    /** Reports {@code result} unless already reported; cancels the timeout, closes the channel. */
    void complete(ProbeResult result) {
      if (completed) {
        return;
      }
      completed = true;
      if (timeout != null) {
        timeout.cancel(false);
      }
      if (channel != null) {
        channel.close();
      }
      done.accept(result);
    }

    /** Remembers the probe's channel, closing it at once if the attempt already completed. */
    void attach(Channel ch) {
      channel = ch;
      if (completed) {
        ch.close();
      }
    }

    boolean completed() {
      return completed;
    }
  }
}
