package io.salve.proxy.health;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import io.salve.config.HealthCheckConfig;
import io.salve.proxy.health.probe.Prober;
import io.salve.proxy.upstream.Endpoint;
import io.salve.proxy.upstream.EndpointHealth;
import io.salve.proxy.upstream.Upstream;
import io.salve.proxy.util.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the active health probes: one probe loop per watched endpoint, each pinned to one event loop
 * of {@code workers} and driven by {@link EventLoop#schedule} (never a sleep). After each result it
 * updates the endpoint's {@link EndpointHealth}, logs health transitions, returns a passing endpoint
 * from outlier ejection, tracks whole-upstream outages (draining idle pooled connections on
 * recovery) and tells its {@link Listener}s.
 *
 * <p>The next probe of an endpoint is scheduled when the previous one has reported, {@code
 * interval} plus up to 10% jitter later ({@link ProbeSchedule}), so probes of one endpoint never
 * overlap.
 */
public final class HealthChecker implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HealthChecker.class);

  /**
   * Observes probe results. Called on the probing event loop: implementations must be quick and
   * must not block. A listener that throws is logged and does not stop the probe loop.
   */
  public interface Listener {
    /** One probe of {@code endpoint} finished, after its health was updated. */
    default void onProbe(Endpoint endpoint, ProbeResult result) {}

    /** {@code endpoint} just became healthy or unhealthy because of {@code cause}. */
    default void onTransition(Endpoint endpoint, boolean healthy, ProbeResult cause) {}

    /** A probe of one of {@code upstream}'s endpoints finished; called after the other events. */
    default void onUpstreamProbed(Upstream upstream) {}
  }

  /** How one upstream is probed. */
  private record Probed(Upstream upstream, HealthCheckConfig config, Prober prober, OutageTracker outage) {}

  private final EventLoopGroup workers;
  private final Ticker ticker;
  private final RandomGenerator random;
  private final Map<String, Probed> upstreams = new ConcurrentHashMap<>();
  private final Map<Endpoint, ProbeLoop> loops = new ConcurrentHashMap<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  /**
   * @param workers the event loops probes run on
   * @param ticker the clock probe results are recorded with
   * @param random the source of jitter; used from several event loops, so it must be thread-safe
   *     (e.g. {@link java.util.Random})
   */
  public HealthChecker(EventLoopGroup workers, Ticker ticker, RandomGenerator random) {
    this.workers = Objects.requireNonNull(workers, "workers");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.random = Objects.requireNonNull(random, "random");
  }

  /** Declares how {@code upstream}'s endpoints are probed; call before watching them. */
  public void register(Upstream upstream, HealthCheckConfig config, Prober prober) {
    upstreams.put(upstream.name(), new Probed(upstream, config, prober, new OutageTracker(ticker)));
  }

  /**
   * Forgets how {@code upstream} is probed (a reload removed or replaced it); unwatch its endpoints
   * first. A later registration under the same name is left alone.
   */
  public void unregister(Upstream upstream) {
    upstreams.computeIfPresent(upstream.name(), (name, p) -> p.upstream() == upstream ? null : p);
  }

  /** @return whether {@code upstream} was {@link #register registered} for probing. */
  public boolean probes(Upstream upstream) {
    Probed p = upstreams.get(upstream.name());
    return p != null && p.upstream() == upstream;
  }

  public void addListener(Listener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Attaches fresh {@link EndpointHealth} to {@code endpoint} unless it has some already. Until its
   * first probe result the endpoint counts as healthy.
   */
  public void attachHealth(Upstream upstream, Endpoint endpoint) {
    Probed p = upstreams.get(upstream.name());
    if (p != null && endpoint.health() == null) {
      endpoint.health(EndpointHealth.from(p.config()));
    }
  }

  /** Starts probing {@code endpoint} of a registered upstream; a no-op if already probed. */
  public void watch(Upstream upstream, Endpoint endpoint) {
    Probed p = upstreams.get(upstream.name());
    if (p == null || closed) {
      return;
    }
    attachHealth(upstream, endpoint);
    ProbeLoop loop = new ProbeLoop(p, endpoint, workers.next());
    if (loops.putIfAbsent(endpoint, loop) == null) {
      loop.start();
    }
  }

  /** Stops probing {@code endpoint}, e.g. when its lease lapsed; an in-flight probe is ignored. */
  public void unwatch(Endpoint endpoint) {
    ProbeLoop loop = loops.remove(endpoint);
    if (loop != null) {
      loop.stop();
    }
  }

  /** @return how many endpoints are being probed. */
  public int watched() {
    return loops.size();
  }

  @Override
  public void close() {
    closed = true;
    loops.values().forEach(ProbeLoop::stop);
    loops.clear();
  }

  /** Applies one probe result; runs on the endpoint's probe loop. */
  private void record(Probed p, Endpoint endpoint, ProbeResult result) {
    EndpointHealth health = endpoint.health();
    boolean flipped = health != null && health.recordProbe(result.passed(), ticker.nanos());
    if (flipped) {
      logTransition(endpoint, health, result);
    }
    if (result.passed() && p.upstream().outliers() != null) {
      // A passing probe is fresher evidence than the passive failures that ejected it.
      p.upstream().outliers().unEject(endpoint.key());
    }
    for (Listener l : listeners) {
      notify(l, "onProbe", () -> l.onProbe(endpoint, result));
      if (flipped) {
        notify(l, "onTransition", () -> l.onTransition(endpoint, result.passed(), result));
      }
    }
    Upstream u = p.upstream();
    switch (p.outage().update(u.healthyCount(), u.endpoints().size())) {
      case OUTAGE_STARTED -> LOG.warn("upstream {}: every endpoint is unhealthy", u.name());
      case RECOVERED -> {
        LOG.info(
            "upstream {} recovered after {}ms unhealthy; draining idle pooled connections",
            u.name(),
            TimeUnit.NANOSECONDS.toMillis(p.outage().lastOutageNanos()));
        u.drainIdle(workers);
      }
      case NONE -> {}
    }
    for (Listener l : listeners) {
      notify(l, "onUpstreamProbed", () -> l.onUpstreamProbed(u));
    }
  }

  private static void logTransition(Endpoint endpoint, EndpointHealth health, ProbeResult result) {
    if (result.passed()) {
      LOG.info(
          "endpoint {} is healthy again after {} passed probe(s) (last: {})",
          endpoint,
          health.consecutiveSuccesses(),
          result.detail());
    } else {
      LOG.warn(
          "endpoint {} is unhealthy after {} failed probe(s) (last: {})",
          endpoint,
          health.consecutiveFailures(),
          result.detail());
    }
  }

  private static void notify(Listener l, String event, Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      LOG.warn("health listener {} failed on {}", l, event, e);
    }
  }

  /** The probe loop of one endpoint, confined to one event loop. */
  private final class ProbeLoop {
    private final Probed probed;
    private final Endpoint endpoint;
    private final EventLoop loop;
    private final Duration interval;
    private volatile boolean stopped;
    private ScheduledFuture<?> next; // touched on the loop only

    ProbeLoop(Probed probed, Endpoint endpoint, EventLoop loop) {
      this.probed = probed;
      this.endpoint = endpoint;
      this.loop = loop;
      this.interval = probed.config().interval();
    }

    void start() {
      long delay = ProbeSchedule.firstDelayNanos(interval, random);
      onLoop(() -> scheduleNext(delay));
    }

    void stop() {
      stopped = true;
      onLoop(
          () -> {
            if (next != null) {
              next.cancel(false);
            }
          });
    }

    private void scheduleNext(long delayNanos) {
      if (!stopped && !loop.isShuttingDown()) {
        next = loop.schedule(this::probe, delayNanos, TimeUnit.NANOSECONDS);
      }
    }

    private void probe() {
      if (stopped) {
        return;
      }
      try {
        probed.prober().probe(endpoint, loop, this::onResult);
      } catch (RuntimeException e) {
        onResult(ProbeResult.fail("probe failed to start: " + e));
      }
    }

    private void onResult(ProbeResult result) {
      if (stopped) {
        return; // unwatched meanwhile (e.g. lease lapsed): the endpoint is gone
      }
      try {
        record(probed, endpoint, result);
      } catch (RuntimeException e) {
        LOG.warn("recording a probe of {} failed", endpoint, e);
      }
      scheduleNext(ProbeSchedule.nextDelayNanos(interval, random));
    }

    private void onLoop(Runnable task) {
      if (loop.inEventLoop()) {
        task.run();
        return;
      }
      try {
        loop.execute(task);
      } catch (RejectedExecutionException e) {
        // The loop is shutting down: its scheduled probes die with it.
      }
    }
  }
}
