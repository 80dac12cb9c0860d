package io.salve.proxy.shed;

import io.salve.config.LoadThresholds;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;

/**
 * The signals a {@link LoadStateMachine} checks, each pairing a {@link LoadSignals} value with its
 * {@link LoadThresholds} component. Values are compared as doubles (exact for every count and
 * nanosecond duration in range); NaN stands for "unknown" or "not checked".
 */
public enum Signal {
  INFLIGHT("inflight", Unit.COUNT) {
    @Override
    double value(LoadSignals s) {
      return s.inflight() < 0 ? Double.NaN : s.inflight();
    }

    @Override
    double threshold(LoadThresholds t) {
      return t.inflight() == null ? Double.NaN : t.inflight();
    }
  },
  LATENCY_P99("latencyP99", Unit.NANOS) {
    @Override
    double value(LoadSignals s) {
      return s.latencyP99Nanos() < 0 ? Double.NaN : s.latencyP99Nanos();
    }

    @Override
    double threshold(LoadThresholds t) {
      return nanos(t.latencyP99());
    }
  },
  CPU("cpu", Unit.SHARE) {
    @Override
    double value(LoadSignals s) {
      return s.cpu();
    }

    @Override
    double threshold(LoadThresholds t) {
      return t.cpu() == null ? Double.NaN : t.cpu();
    }
  },
  HEAP("heap", Unit.SHARE) {
    @Override
    double value(LoadSignals s) {
      return s.heap();
    }

    @Override
    double threshold(LoadThresholds t) {
      return t.heap() == null ? Double.NaN : t.heap();
    }
  },
  EVENT_LOOP_DELAY("eventLoopDelay", Unit.NANOS) {
    @Override
    double value(LoadSignals s) {
      return s.eventLoopDelayNanos() < 0 ? Double.NaN : s.eventLoopDelayNanos();
    }

    @Override
    double threshold(LoadThresholds t) {
      return nanos(t.eventLoopDelay());
    }
  },
  ERROR_RATE("errorRate", Unit.SHARE) {
    @Override
    double value(LoadSignals s) {
      return s.errorRate();
    }

    @Override
    double threshold(LoadThresholds t) {
      return t.errorRate() == null ? Double.NaN : t.errorRate();
    }
  };

  /** How a signal's value is displayed. */
  enum Unit {
    COUNT("requests"),
    NANOS("ms"),
    SHARE("ratio");

    final String label;

    Unit(String label) {
      this.label = label;
    }
  }

  private final String key;
  private final Unit unit;

  Signal(String key, Unit unit) {
    this.key = key;
    this.unit = unit;
  }

  /** @return the {@link LoadThresholds} component name, e.g. {@code "latencyP99"}. */
  public String key() {
    return key;
  }

  Unit unit() {
    return unit;
  }

  /** @return the value, or NaN when unknown */
  /** @return this signal's value in {@code s} in display units, NaN when unknown */
  public double displayValue(LoadSignals s) {
    Object shown = display(value(s));
    return shown instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  abstract double value(LoadSignals s);

  /** @return the threshold, or NaN when not checked */
  abstract double threshold(LoadThresholds t);

  /** @return whether {@code s} crosses this signal's threshold in {@code t} */
  boolean crosses(LoadSignals s, LoadThresholds t) {
    double v = value(s);
    double limit = threshold(t);
    return !Double.isNaN(v) && !Double.isNaN(limit) && v >= limit;
  }

  /** @return e.g. {@code "latencyP99 812ms >= 500ms"} */
  String describeCrossing(LoadSignals s, LoadThresholds t) {
    return key + " " + format(value(s)) + " >= " + format(threshold(t));
  }

  /** @return the value in display units (milliseconds for durations), or null when NaN */
  Object display(double v) {
    if (Double.isNaN(v)) {
      return null;
    }
    return switch (unit) {
      case COUNT -> (long) v;
      case NANOS -> v / 1e6;
      case SHARE -> v;
    };
  }

  String format(double v) {
    if (Double.isNaN(v)) {
      return "unknown";
    }
    return switch (unit) {
      case COUNT -> Long.toString((long) v);
      case NANOS -> trim(v / 1e6) + "ms";
      case SHARE -> trim(v);
    };
  }

  /** @return every signal of {@code t} that {@code s} crosses, joined with ", "; null if none */
  static String crossings(LoadSignals s, LoadThresholds t) {
    StringBuilder out = null;
    for (Signal signal : values()) {
      if (signal.crosses(s, t)) {
        out = out == null ? new StringBuilder() : out.append(", ");
        out.append(signal.describeCrossing(s, t));
      }
    }
    return out == null ? null : out.toString();
  }

  /** @return e.g. {@code "1500ms"} or {@code "0.25ms"} */
  static String millis(long nanos) {
    return trim(nanos / 1e6) + "ms";
  }

  private static double nanos(Duration d) {
    return d == null ? Double.NaN : saturatedNanos(d);
  }

  static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException overflow) {
      return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  private static String trim(double v) {
    if (Double.isInfinite(v)) {
      return Double.toString(v);
    }
    return BigDecimal.valueOf(v).setScale(3, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
  }
}
