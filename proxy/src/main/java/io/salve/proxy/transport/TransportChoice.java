package io.salve.proxy.transport;

import java.util.Locale;
import java.util.function.Supplier;

/**
 * Which socket transport salve runs on, decided once at start from what was asked for and what loads.
 *
 * <p>Each transport falls back to the next one down when its native library or the kernel does not
 * allow it: io_uring, then epoll, then NIO (which always works). A transport that was asked for but
 * did not load is not an error, because a sidecar should start on whatever its node offers; the
 * fallback is logged with its cause and the ready line names the transport actually used.
 *
 * <p>The default is io_uring, chosen by benchmark on the users' scenario (docs/tuning.md): where the
 * kernel or the container runtime refuses it, as many do, salve runs on epoll and says so quietly.
 */
public final class TransportChoice {
  /** The transports, best first. */
  public enum Transport {
    IO_URING("io_uring"),
    EPOLL("epoll"),
    NIO("nio");

    private final String key;

    Transport(String key) {
      this.key = key;
    }

    /** @return the name used in {@code salve.transport} and the ready line. */
    public String key() {
      return key;
    }

    private Transport next() {
      return this == IO_URING ? EPOLL : NIO;
    }
  }

  /** What loads on this machine; each check is made only if the choice gets that far. */
  public interface Availability {
    /** @return null when io_uring can be used, else why not. */
    Throwable ioUringUnavailability();

    /** @return null when epoll can be used, else why not. */
    Throwable epollUnavailability();
  }

  /** The transport used when nothing is asked for. */
  public static final Transport DEFAULT = Transport.IO_URING;

  private final Transport transport;
  private final String fallback;
  private final boolean asked;

  private TransportChoice(Transport transport, String fallback, boolean asked) {
    this.transport = transport;
    this.fallback = fallback;
    this.asked = asked;
  }

  /**
   * @return whether the transport was asked for ({@code salve.transport} or {@code salve.nio}): a
   *     fallback from it is worth a warning, a fallback from the default is not
   */
  public boolean asked() {
    return asked;
  }

  /** @return the transport to run on. */
  public Transport transport() {
    return transport;
  }

  /** @return why the transport asked for was not used (for a warning), or null when it was. */
  public String fallback() {
    return fallback;
  }

  /**
   * Parses a {@code salve.transport} value.
   *
   * @return the transport, or null for a null or blank value (the default)
   * @throws IllegalArgumentException naming the accepted values
   */
  public static Transport parse(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String v = value.trim().toLowerCase(Locale.ROOT);
    for (Transport t : Transport.values()) {
      if (t.key.equals(v) || (t == Transport.IO_URING && v.equals("iouring"))) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "unknown transport '" + value + "': expected io_uring, epoll or nio");
  }

  /**
   * @param transportProperty the value of {@code salve.transport}, or null
   * @param forceNio {@code salve.nio=true}, the older switch, which means {@code salve.transport=nio}
   *     when {@code salve.transport} is not set
   */
  public static TransportChoice choose(String transportProperty, boolean forceNio, Availability availability) {
    Transport asked = parse(transportProperty);
    boolean explicit = asked != null || forceNio;
    if (asked == null) {
      asked = forceNio ? Transport.NIO : DEFAULT;
    }
    Transport t = asked;
    StringBuilder why = null;
    while (t != Transport.NIO) {
      Throwable cause = t == Transport.IO_URING ? availability.ioUringUnavailability() : availability.epollUnavailability();
      if (cause == null) {
        break;
      }
      why = (why == null ? new StringBuilder() : why.append("; "))
          .append(t.key).append(" is not available (").append(describe(cause)).append(')');
      t = t.next();
    }
    return new TransportChoice(t, why == null ? null : why.append(", using ").append(t.key).toString(), explicit);
  }

  private static String describe(Throwable cause) {
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  /** @return a check of what loads, done lazily by Netty's own probes. */
  static Availability netty() {
    return new Availability() {
      @Override
      public Throwable ioUringUnavailability() {
        return probe(() -> io.netty.channel.uring.IoUring.isAvailable() ? null : io.netty.channel.uring.IoUring.unavailabilityCause());
      }

      @Override
      public Throwable epollUnavailability() {
        return probe(() -> io.netty.channel.epoll.Epoll.isAvailable() ? null : io.netty.channel.epoll.Epoll.unavailabilityCause());
      }
    };
  }

  /** A missing class (the native jar left off the class path) counts as unavailable, not as a crash. */
  private static Throwable probe(Supplier<Throwable> check) {
    try {
      return check.get();
    } catch (LinkageError e) {
      return e;
    }
  }
}
