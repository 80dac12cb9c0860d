package io.salve.proxy.upstream;

import io.netty.util.concurrent.Future;

/**
 * The streams to one endpoint from one event loop: {@link EndpointPool} lends whole HTTP/1.1
 * connections, {@link H2cPool} lends HTTP/2 streams of shared connections. Every method runs on the
 * pool's loop.
 */
interface StreamPool {
  /** @return a future completed on the pool's loop with a stream lent to {@code listener}. */
  Future<? extends UpstreamStream> acquire(UpstreamStream.Listener listener);

  /** Closes every connection that carries no stream (e.g. after the endpoint recovered). */
  void drainIdle();
}
