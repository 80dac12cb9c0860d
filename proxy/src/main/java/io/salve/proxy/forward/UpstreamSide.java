package io.salve.proxy.forward;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.salve.proxy.upstream.Endpoint;
import io.salve.proxy.upstream.Upstream;
import io.salve.proxy.upstream.UpstreamStream;

/**
 * Opens a stream to a chosen endpoint: the only way the attempt loop reaches an upstream. Today a
 * pooled HTTP/1.1 connection ({@link #POOLED}); an HTTP/2 implementation would open a stream on a
 * shared connection, and tests answer with streams over an {@code EmbeddedChannel}.
 */
@FunctionalInterface
public interface UpstreamSide {
  /**
   * @param loop the client side's event loop, which is the current thread; the stream lives on it
   * @return a future completed on {@code loop} with a stream lent to {@code listener}
   */
  Future<? extends UpstreamStream> open(Upstream upstream, Endpoint endpoint, EventLoop loop, UpstreamStream.Listener listener);

  /** Borrows a keep-alive connection from the upstream's per-loop pool. */
  UpstreamSide POOLED = Upstream::acquire;
}
