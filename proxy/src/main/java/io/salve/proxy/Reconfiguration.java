package io.salve.proxy;

import io.netty.channel.EventLoopGroup;
import io.salve.config.SalveConfig;
import io.salve.proxy.health.HealthSubsystem;
import io.salve.proxy.metrics.ProxyMetrics;
import io.salve.proxy.metrics.UpstreamMeters;
import io.salve.proxy.server.SalveServer;
import io.salve.proxy.upstream.Upstream;
import io.salve.proxy.upstream.Upstreams;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a reloaded configuration into effect across the running parts: a new generation of
 * upstreams (unchanged ones are the same running objects), the listeners' new contexts and
 * addresses, meters and health probes of added and retired upstreams, and the retirement of removed
 * upstreams once their requests in flight are done. Runs on the reload thread.
 */
final class Reconfiguration {
  private static final Logger LOG = LoggerFactory.getLogger(Reconfiguration.class);
  private static final long RETIRE_CHECK_MILLIS = 100;

  private final SalveServer server;
  private final HealthSubsystem health;
  private final UpstreamMeters meters;
  private final ProxyMetrics metrics;
  private final EventLoopGroup workers;

  Reconfiguration(
      SalveServer server, HealthSubsystem health, UpstreamMeters meters, ProxyMetrics metrics, EventLoopGroup workers) {
    this.server = server;
    this.health = health;
    this.meters = meters;
    this.metrics = metrics;
    this.workers = workers;
  }

  /**
   * @return the upstreams now running
   * @throws io.salve.proxy.transport.Binding.CannotBindException when a listener cannot be bound; nothing was changed then
   */
  Upstreams apply(SalveConfig next, Upstreams running) throws InterruptedException {
    Upstreams fresh = running.next(next);
    List<Upstream> gone = running.all().stream().filter(u -> fresh.get(u.name()) != u).toList();
    List<Upstream> added = fresh.all().stream().filter(u -> running.get(u.name()) != u).toList();
    next.listeners().forEach(l -> metrics.bindListener(l.name()));
    server.apply(next, fresh);
    gone.forEach(meters::unbind);
    added.forEach(meters::bind);
    health.apply(next, fresh, gone, added);
    long deadline = System.nanoTime() + Math.max(next.drainTimeout().toNanos(), Duration.ofSeconds(1).toNanos());
    gone.forEach(u -> retire(u, deadline));
    return fresh;
  }

  /**
   * Closes a retired upstream's pooled connections once its last request in flight has ended (or
   * the drain timeout has passed). Checks on an event loop by scheduling, never by waiting.
   */
  private void retire(Upstream u, long deadlineNanos) {
    if (workers.isShuttingDown()) {
      return; // shutdown closes every connection anyway
    }
    try {
      workers
        .next()
        .schedule(
            () -> {
              int inFlight = u.bulkhead().inFlight();
              if (inFlight == 0 || System.nanoTime() - deadlineNanos > 0) {
                u.retire(workers);
                LOG.info("upstream {} retired ({} request(s) still in flight); its idle connections are closed",
                    u.name(), inFlight);
              } else {
                retire(u, deadlineNanos);
              }
            },
            RETIRE_CHECK_MILLIS,
            TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // shutting down since the check above: shutdown closes every connection anyway
    }
  }
}
