package io.salve.proxy.health.probe;

import io.netty.channel.EventLoop;
import io.salve.proxy.health.ProbeResult;
import io.salve.proxy.upstream.Endpoint;
import java.util.function.Consumer;

/**
 * Runs one active health probe against an endpoint, asynchronously.
 *
 * <p>Implementations never block: they start the probe on {@code loop} and return at once. They
 * enforce their own timeout, so {@code done} is always called, exactly once, on {@code loop}.
 */
public interface Prober {

  /**
   * Starts one probe.
   *
   * @param endpoint the endpoint to probe
   * @param loop the event loop the probe's channel and timeout run on; the caller's own loop
   * @param done receives the result exactly once, on {@code loop}
   */
  void probe(Endpoint endpoint, EventLoop loop, Consumer<ProbeResult> done);
}
