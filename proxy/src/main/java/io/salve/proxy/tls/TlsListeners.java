package io.salve.proxy.tls;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.salve.config.ListenerConfig;
import io.salve.config.SalveConfig;
import io.salve.proxy.util.Ticker;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS termination of every listener, by name: what the listener's pipeline puts first. A reload
 * keeps the material of a listener whose {@code tls} did not change and builds it for the others.
 */
public final class TlsListeners {
  private static final Logger LOG = LoggerFactory.getLogger(TlsListeners.class);
  /** A plaintext-only configuration. */
  public static final TlsListeners NONE = new TlsListeners(TlsEvents.NONE, null);
  private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(Long.getLong("salve.tls.logIntervalSeconds", 10));

  private final TlsEvents events;
  private final TlsRotation rotation;
  private final FailureLogLimiter logLimiter = new FailureLogLimiter(Ticker.system(), LOG_INTERVAL_NANOS);
  private final Map<String, ServerTls> byListener = new ConcurrentHashMap<>();
  /** Listeners configured for TLS whose material could not be built on a reload: their connections are closed. */
  private final Map<String, Boolean> broken = new ConcurrentHashMap<>();

  private TlsListeners(TlsEvents events, TlsRotation rotation) {
    this.events = events;
    this.rotation = rotation;
  }

  /**
   * Builds the material of every TLS listener.
   *
   * @throws TlsMaterialException for the first file that cannot be used: salve does not start
   */
  public static TlsListeners create(SalveConfig config, TlsEvents events, TlsRotation rotation)
      throws TlsMaterialException {
    TlsListeners t = new TlsListeners(events, rotation);
    for (ListenerConfig l : config.listeners()) {
      if (l.tls() != null) {
        ServerTls tls = ServerTls.create(l.name(), l.tls(), handshakeTimeout(l));
        t.byListener.put(l.name(), tls);
        rotation.watch(tls);
      }
    }
    return t;
  }

  /**
   * Follows a reloaded configuration (the reload thread): unchanged TLS settings keep their material;
   * material that cannot be built is logged and the listener refuses connections rather than serve
   * them in plaintext.
   */
  public void apply(SalveConfig next) {
    Map<String, ServerTls> kept = new ConcurrentHashMap<>();
    for (ListenerConfig l : next.listeners()) {
      if (l.tls() == null) {
        continue;
      }
      ServerTls old = byListener.get(l.name());
      if (old != null && old.config().equals(l.tls())) {
        kept.put(l.name(), old);
        continue;
      }
      try {
        ServerTls tls = ServerTls.create(l.name(), l.tls(), handshakeTimeout(l));
        kept.put(l.name(), tls);
        rotation.watch(tls);
        broken.remove(l.name());
      } catch (TlsMaterialException e) {
        LOG.error("listener '{}': TLS material refused, {}; its connections are closed until it is fixed",
            l.name(), e.getMessage());
        broken.put(l.name(), true);
      }
    }
    byListener.keySet().retainAll(kept.keySet());
    byListener.putAll(kept);
  }

  /** Puts the listener's TLS handlers first in a new connection's pipeline; nothing for a plaintext listener. */
  public void initChannel(String listener, Channel ch) {
    ServerTls tls = byListener.get(listener);
    if (tls == null) {
      if (broken.containsKey(listener)) {
        ch.close();
      }
      return;
    }
    ChannelPipeline p = ch.pipeline();
    p.addFirst("tlsHandshake",
        new ServerHandshakeHandler(listener, tls.config().clientCa() != null, events, logLimiter));
    p.addFirst("tls", tls.newHandler());
  }

  private static long handshakeTimeout(ListenerConfig l) {
    return l.limits().requestHeaderTimeout().toMillis();
  }
}
