package io.salve.proxy.shed;

import io.salve.config.LoadSheddingConfig;
import io.salve.config.LoadThresholds;
import io.salve.proxy.util.Ticker;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the signals sampled every {@link LoadSheddingConfig#interval()} into a {@link LoadState}.
 *
 * <p>A signal <em>crosses</em> when its value is {@code >=} its threshold; a null threshold is not
 * checked and an unknown value never crosses.
 *
 * <ul>
 *   <li><b>Up, immediately:</b> from HEALTHY or DEGRADED, any {@code failingWhen} signal crossed
 *       moves to FAILING; from HEALTHY, any {@code degradedWhen} signal crossed moves to DEGRADED.
 *   <li><b>Down, with hysteresis:</b> a state is left only after all of its own signals (FAILING:
 *       {@code failingWhen}; DEGRADED: {@code degradedWhen}) have been below their thresholds in
 *       every evaluation for {@code recoverAfter}, measured from the first calm evaluation. It steps
 *       down one level per evaluation: FAILING goes to DEGRADED, which then needs its own {@code
 *       recoverAfter} of calm, counted from entering it, before HEALTHY. Any crossing resets the
 *       calm clock.
 * </ul>
 *
 * <p>An operator can {@linkplain #force force} a state for a drill. Evaluation keeps tracking the
 * automatic state underneath, and once the force expires (by the ticker) or is {@linkplain
 * #clearForce cleared} the effective state is that automatic state again.
 *
 * <p>Thread safety: {@link #state()} and the other readers are lock-free and safe on the request
 * path. {@link #evaluate}, {@link #force} and {@link #clearForce} serialize on a lock and are meant
 * for the interval scheduler and the admin API. Listeners hear each effective transition exactly
 * once, from one of those three calls; a force that expires between evaluations is therefore
 * reflected by {@link #state()} at once but announced at the next {@link #evaluate}.
 */
public final class LoadStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(LoadStateMachine.class);
  private static final String INITIAL_CAUSE = "no signal crossed";
  // Caps a forced duration so that deadline arithmetic on the ticker cannot overflow.
  private static final long MAX_FORCE_NANOS = Long.MAX_VALUE / 4;

  private final LoadThresholds degradedWhen;
  private final LoadThresholds failingWhen;
  private final long recoverAfterNanos;
  private final Ticker ticker;
  private final List<LoadStateListener> listeners = new CopyOnWriteArrayList<>();
  private final Object lock = new Object();

  // Guarded by lock.
  private boolean calm;
  private long calmSinceNanos;
  private String automaticCause = INITIAL_CAUSE;
  private LoadState announced = LoadState.HEALTHY;

  // Written under lock, read lock-free.
  private volatile LoadState automatic = LoadState.HEALTHY;
  private volatile Forced forced;
  private volatile long lastChangeNanos;
  private volatile String cause = INITIAL_CAUSE;
  private volatile LoadSignals lastSignals = LoadSignals.unknown();

  private record Forced(LoadState state, long untilNanos) {
    boolean activeAt(long now) {
      return now - untilNanos < 0;
    }
  }

  /**
   * @param config thresholds and {@code recoverAfter}; null threshold sets check nothing
   * @param ticker the clock for hysteresis and forced states
   */
  public LoadStateMachine(LoadSheddingConfig config, Ticker ticker) {
    Objects.requireNonNull(config, "config");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.degradedWhen = config.degradedWhen() == null ? LoadThresholds.none() : config.degradedWhen();
    this.failingWhen = config.failingWhen() == null ? LoadThresholds.none() : config.failingWhen();
    Duration recoverAfter = Objects.requireNonNull(config.recoverAfter(), "recoverAfter");
    this.recoverAfterNanos = Math.max(0, Signal.saturatedNanos(recoverAfter));
    this.lastChangeNanos = ticker.nanos();
  }

  /**
   * Evaluates one interval's signals; call once per {@link LoadSheddingConfig#interval()}.
   *
   * @param signals this interval's sample
   * @return the effective state afterwards
   */
  public LoadState evaluate(LoadSignals signals) {
    Objects.requireNonNull(signals, "signals");
    synchronized (lock) {
      long now = ticker.nanos();
      lastSignals = signals;
      String failing = Signal.crossings(signals, failingWhen);
      String degraded = Signal.crossings(signals, degradedWhen);
      LoadState from = automatic;
      LoadState to = from;
      String why = null;
      switch (from) {
        case HEALTHY -> {
          if (failing != null) {
            to = LoadState.FAILING;
            why = failing;
          } else if (degraded != null) {
            to = LoadState.DEGRADED;
            why = degraded;
          }
        }
        case DEGRADED -> {
          if (failing != null) {
            to = LoadState.FAILING;
            why = failing;
          } else if (degraded != null) {
            calm = false;
          } else if (calmLongEnough(now)) {
            to = LoadState.HEALTHY;
            why = "degraded signals below thresholds for " + Signal.millis(recoverAfterNanos);
          }
        }
        case FAILING -> {
          if (failing != null) {
            calm = false;
          } else if (calmLongEnough(now)) {
            to = LoadState.DEGRADED;
            why = "failing signals below thresholds for " + Signal.millis(recoverAfterNanos);
          }
        }
      }
      if (to != from) {
        automatic = to;
        automaticCause = why;
        // DEGRADED entered from above must see its own recoverAfter of calm, counted from now.
        calm = to == LoadState.DEGRADED && degraded == null;
        calmSinceNanos = now;
      }
      boolean expired = expireForce(now);
      announce(now, expired ? "force expired; " + automaticCause : automaticCause);
      return announced;
    }
  }

  /**
   * Overrides evaluation with {@code state} until {@code forHowLong} has passed on the ticker,
   * replacing any earlier force.
   *
   * @param state the state to serve
   * @param forHowLong how long; must be positive
   */
  public void force(LoadState state, Duration forHowLong) {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(forHowLong, "forHowLong");
    if (forHowLong.isNegative() || forHowLong.isZero()) {
      throw new IllegalArgumentException("forHowLong must be positive: " + forHowLong);
    }
    long nanos = Math.min(Signal.saturatedNanos(forHowLong), MAX_FORCE_NANOS);
    synchronized (lock) {
      long now = ticker.nanos();
      forced = new Forced(state, now + nanos);
      announce(now, "forced " + state.key() + " for " + Signal.millis(nanos));
    }
  }

  /** Ends a forced state now, if any; the automatic state applies again. */
  public void clearForce() {
    synchronized (lock) {
      long now = ticker.nanos();
      boolean wasActive = forced != null && forced.activeAt(now);
      forced = null;
      announce(now, (wasActive ? "force cleared; " : "force expired; ") + automaticCause);
    }
  }

  /** @return the effective state: the forced one while a force is active, else the automatic one */
  public LoadState state() {
    Forced f = forced;
    if (f != null && f.activeAt(ticker.nanos())) {
      return f.state();
    }
    return automatic;
  }

  /** @return whether a forced state is active now */
  public boolean forced() {
    Forced f = forced;
    return f != null && f.activeAt(ticker.nanos());
  }

  /** @return the state evaluation alone arrives at, ignoring any force */
  public LoadState automaticState() {
    return automatic;
  }

  /** @return ticker nanos of the last announced effective transition, or of construction */
  public long lastChangeNanos() {
    return lastChangeNanos;
  }

  /** @return the signals of the last {@link #evaluate}, all unknown before the first */
  public LoadSignals lastSignals() {
    return lastSignals;
  }

  /**
   * @return why the last announced effective transition happened, e.g. {@code "inflight 612 >=
   *     500"} (every crossed signal, comma-separated), a recovery, or a force
   */
  public String cause() {
    return cause;
  }

  /** @param listener hears every later effective transition exactly once */
  public void addListener(LoadStateListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * A snapshot for {@code /admin/state}: {@code state}, {@code automaticState}, {@code forced},
   * {@code forcedRemainingMillis} (only while forced), {@code lastChangeMillisAgo}, {@code cause},
   * and {@code signals}: for each {@link io.salve.config.LoadThresholds} component name a map of
   * {@code value}, {@code degradedThreshold}, {@code failingThreshold} and {@code unit}. Durations
   * are in milliseconds; unknown values and unchecked thresholds are null.
   *
   * @return an unmodifiable, JSON-ready map
   */
  public Map<String, Object> describe() {
    long now = ticker.nanos();
    Forced f = forced;
    boolean isForced = f != null && f.activeAt(now);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("state", (isForced ? f.state() : automatic).key());
    out.put("automaticState", automatic.key());
    out.put("forced", isForced);
    if (isForced) {
      out.put("forcedRemainingMillis", (f.untilNanos() - now) / 1_000_000);
    }
    out.put("lastChangeMillisAgo", Math.max(0, now - lastChangeNanos) / 1_000_000);
    out.put("cause", cause);
    LoadSignals s = lastSignals;
    Map<String, Object> signals = new LinkedHashMap<>();
    for (Signal signal : Signal.values()) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("value", signal.display(signal.value(s)));
      one.put("degradedThreshold", signal.display(signal.threshold(degradedWhen)));
      one.put("failingThreshold", signal.display(signal.threshold(failingWhen)));
      one.put("unit", signal.unit().label);
      signals.put(signal.key(), Collections.unmodifiableMap(one));
    }
    out.put("signals", Collections.unmodifiableMap(signals));
    return Collections.unmodifiableMap(out);
  }

  private boolean calmLongEnough(long now) {
    if (!calm) {
      calm = true;
      calmSinceNanos = now;
    }
    return now - calmSinceNanos >= recoverAfterNanos;
  }

  /** @return whether a force was present but had expired, now dropped */
  private boolean expireForce(long now) {
    Forced f = forced;
    if (f != null && !f.activeAt(now)) {
      forced = null;
      return true;
    }
    return false;
  }

  private void announce(long now, String why) {
    Forced f = forced;
    LoadState effective = f != null && f.activeAt(now) ? f.state() : automatic;
    if (effective == announced) {
      return;
    }
    LoadState from = announced;
    announced = effective;
    lastChangeNanos = now;
    cause = why;
    for (LoadStateListener listener : listeners) {
      try {
        listener.onTransition(from, effective, why);
      } catch (RuntimeException e) {
        // One broken observer must not stop the others or the evaluation loop.
        LOG.warn("load state listener {} failed on {} -> {}", listener, from, effective, e);
      }
    }
  }
}
