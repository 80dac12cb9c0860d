package io.salve.proxy.shed;

import io.netty.util.concurrent.EventExecutor;
import io.salve.config.Criticality;
import io.salve.config.ListenerConfig;
import io.salve.config.LoadSheddingConfig;
import io.salve.config.SalveConfig;
import io.salve.proxy.forward.AdmissionControl;
import io.salve.proxy.route.Route;
import io.salve.proxy.util.Ticker;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admission by load: the runtime around {@link LoadStateMachine} and the per-listener {@link
 * AdaptiveLimiter}s.
 *
 * <p>{@link #tryAdmit} refuses a request when the effective {@link LoadState} does not serve its
 * route's {@link Criticality} ({@link ShedReason#LOAD_STATE}), or when its listener's limiter has
 * no room for that criticality ({@link ShedReason#CONCURRENCY_LIMIT}). Both checks are lock-free
 * reads; a refusal allocates nothing and only tells the {@link ShedObserver}s.
 *
 * <p>An admitted request's {@link Permit} feeds, on release, the request signals (in-flight count,
 * latency, error rate) and the limiter: a response below 400 is a round-trip sample, a 503 or 504 (the
 * proxy's timeouts and overload answers included) is a drop, anything else (4xx, 499 for a client
 * that left, other 5xx) says nothing about load.
 *
 * <p>{@link #evaluate} samples the signals and steps the state machine; in production a {@link
 * LoadMonitor} calls it every {@link LoadSheddingConfig#interval()}.
 */
public final class LoadShedding implements AdmissionControl, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LoadShedding.class);
  /** The event-loop probe period; shorter than the interval so one late task is not missed. */
  private static final Duration MAX_PROBE_PERIOD = Duration.ofMillis(100);

  private final LoadStateMachine machine;
  private final RequestSignals requests;
  private final Supplier<LoadSignals> signals;
  private final Map<String, AdaptiveLimiter> limiters;
  private final boolean adaptive;
  private final long retryAfterSeconds;
  private final LoadMonitor monitor;
  // Copied on add (rare), read as a plain array on every refusal: no iterator to allocate.
  private volatile ShedObserver[] observers = new ShedObserver[0];

  /**
   * @param config thresholds, hysteresis, Retry-After and adaptive concurrency
   * @param requests fed by every released permit
   * @param signals one interval's sample, taken by {@link #evaluate}
   * @param limiters the limiter of each listener, in listener order; unknown listeners are unlimited
   * @param monitor runs {@link #evaluate} between {@link #start} and {@link #close}, or null
   * @param ticker the state machine's clock
   */
  LoadShedding(
      LoadSheddingConfig config,
      RequestSignals requests,
      Supplier<LoadSignals> signals,
      Map<String, AdaptiveLimiter> limiters,
      LoadMonitor monitor,
      Ticker ticker) {
    Objects.requireNonNull(config, "config");
    this.machine = new LoadStateMachine(config, ticker);
    this.requests = Objects.requireNonNull(requests, "requests");
    this.signals = Objects.requireNonNull(signals, "signals");
    this.limiters = Collections.unmodifiableMap(new LinkedHashMap<>(limiters));
    this.adaptive = config.adaptiveConcurrency() != null && config.adaptiveConcurrency().enabled();
    this.retryAfterSeconds = retryAfterSeconds(config.retryAfter());
    this.monitor = monitor;
    machine.addListener(LoadShedding::logTransition);
  }

  /**
   * @param config the whole configuration: {@code loadShedding} and the listener names
   * @param workers the proxy event loops, probed for the {@code eventLoopDelay} signal
   * @return load shedding on the system clock, evaluating once {@link #start}ed
   */
  public static LoadShedding create(SalveConfig config, Iterable<? extends EventExecutor> workers) {
    LoadSheddingConfig ls = config.loadShedding();
    Ticker ticker = Ticker.system();
    Map<String, AdaptiveLimiter> limiters = new LinkedHashMap<>();
    for (ListenerConfig l : config.listeners()) {
      limiters.put(l.name(), AdaptiveLimiter.of(ls.adaptiveConcurrency(), ticker));
    }
    Duration probePeriod = ls.interval().compareTo(MAX_PROBE_PERIOD) < 0 ? ls.interval() : MAX_PROBE_PERIOD;
    EventLoopDelayProbe probe = new EventLoopDelayProbe(workers, probePeriod, ticker);
    RequestSignals requests = new RequestSignals();
    SignalSampler sampler = new SignalSampler(requests, ProcessSignals.system(), probe);
    return new LoadShedding(ls, requests, sampler, limiters, new LoadMonitor(ls.interval(), probe), ticker);
  }

  /** @return whole seconds, rounded up; 0 (no Retry-After header) for a zero or negative duration */
  static long retryAfterSeconds(Duration retryAfter) {
    if (retryAfter == null || retryAfter.isNegative() || retryAfter.isZero()) {
      return 0;
    }
    long seconds = retryAfter.getSeconds();
    return retryAfter.getNano() > 0 ? seconds + 1 : seconds;
  }

  @Override
  public Permit tryAdmit(String listener, Route route) {
    Criticality criticality = route.criticality();
    if (!machine.state().admits(criticality)) {
      shed(listener, route, ShedReason.LOAD_STATE);
      return null;
    }
    AdaptiveLimiter limiter = limiters.getOrDefault(listener, UnlimitedLimiter.INSTANCE);
    Optional<AdaptiveLimiter.Token> token = limiter.tryAcquire(criticality);
    if (token.isEmpty()) {
      shed(listener, route, ShedReason.CONCURRENCY_LIMIT);
      return null;
    }
    requests.started();
    return new Admitted(requests, token.get());
  }

  private void shed(String listener, Route route, ShedReason reason) {
    for (ShedObserver o : observers) {
      o.onShed(listener, route, reason);
    }
  }

  @Override
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /** Samples this interval's signals and evaluates them; the monitor's task. */
  public LoadState evaluate() {
    return machine.evaluate(signals.get());
  }

  /** @param observer hears every later refusal */
  public synchronized void addObserver(ShedObserver observer) {
    Objects.requireNonNull(observer, "observer");
    ShedObserver[] next = Arrays.copyOf(observers, observers.length + 1);
    next[next.length - 1] = observer;
    observers = next;
  }

  /** @return {@code nanos} written the way load-state messages write durations, e.g. {@code "1500ms"} */
  public static String millis(long nanos) {
    return Signal.millis(nanos);
  }

  /** @return the state machine: its state, signals, and forcing for operators */
  public LoadStateMachine stateMachine() {
    return machine;
  }

  /** @return each listener's limiter, in listener order */
  public Map<String, AdaptiveLimiter> limiters() {
    return limiters;
  }

  /** @return whether the listeners' limiters adapt; otherwise they admit everything */
  public boolean adaptiveConcurrency() {
    return adaptive;
  }

  /** @return admitted requests not yet released, over all listeners */
  public int inflight() {
    return requests.inflight();
  }

  /**
   * @return the {@code loadShedding} section of {@code /admin/state}: the state machine's {@link
   *     LoadStateMachine#describe()}, plus {@code inflightNow}, {@code retryAfterSeconds} and {@code
   *     concurrencyLimits} (per listener: {@code enabled}, {@code limit}, {@code inflight})
   */
  public Map<String, Object> describe() {
    Map<String, Object> out = new LinkedHashMap<>(machine.describe());
    out.put("inflightNow", requests.inflight());
    out.put("retryAfterSeconds", retryAfterSeconds);
    Map<String, Object> limits = new LinkedHashMap<>();
    limiters.forEach(
        (name, limiter) -> {
          Map<String, Object> one = new LinkedHashMap<>();
          one.put("enabled", adaptive);
          one.put("limit", adaptive ? limiter.limit() : null);
          one.put("inflight", adaptive ? limiter.inflight() : null);
          limits.put(name, one);
        });
    out.put("concurrencyLimits", limits);
    return out;
  }

  /** Starts the periodic evaluation (and the event-loop probe). */
  public void start() {
    if (monitor != null) {
      monitor.start(this::evaluate);
    }
  }

  @Override
  public void close() {
    if (monitor != null) {
      monitor.close();
    }
  }

  /** One log line per effective transition, never one per request. */
  private static void logTransition(LoadState from, LoadState to, String cause) {
    if (to.level() > from.level()) {
      LOG.warn("load state {} -> {}: {}", from.key(), to.key(), cause);
    } else {
      LOG.info("load state {} -> {}: {}", from.key(), to.key(), cause);
    }
  }

  /** How a finished request informs the limiter. */
  static void complete(AdaptiveLimiter.Token token, int status) {
    if (status == 503 || status == 504) {
      token.onDropped();
    } else if (status >= 400) {
      token.onIgnore();
    } else {
      token.onSuccess();
    }
  }

  /** The permit of one admitted request; only the first release counts. */
  private static final class Admitted implements Permit {
    private static final AtomicIntegerFieldUpdater<Admitted> RELEASED =
        AtomicIntegerFieldUpdater.newUpdater(Admitted.class, "released");

    private final RequestSignals requests;
    private final AdaptiveLimiter.Token token;
    private volatile int released;

    Admitted(RequestSignals requests, AdaptiveLimiter.Token token) {
      this.requests = requests;
      this.token = token;
    }

    @Override
    public void release(int status, long durationNanos) {
      if (!RELEASED.compareAndSet(this, 0, 1)) {
        return;
      }
      requests.ended(status, durationNanos);
      complete(token, status);
    }
  }
}
