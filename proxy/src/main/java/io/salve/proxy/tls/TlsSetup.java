package io.salve.proxy.tls;

import io.salve.config.SalveConfig;
import io.salve.config.UpstreamConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Everything TLS a salve needs, built before anything binds or connects so that unusable material
 * stops the start with one sentence naming the file: the listeners' termination, the upstreams'
 * origination (handed to {@code Upstreams} through {@link #upstreamTls}) and the rotation watching
 * both.
 */
public final class TlsSetup implements AutoCloseable {
  private final TlsEvents events;
  private final TlsRotation rotation;
  private final TlsListeners listeners;
  private final FailureLogLimiter upstreamLog;
  /** Origination built up front for the startup configuration, taken by the first Upstreams. */
  private final Map<String, ClientTls> prebuilt = new HashMap<>();

  /** @throws TlsMaterialException naming the first file that cannot be used */
  public TlsSetup(SalveConfig config, TlsEvents events, Duration debounce) throws TlsMaterialException {
    this.events = events;
    this.rotation = new TlsRotation(debounce, events);
    this.upstreamLog = new FailureLogLimiter(io.salve.proxy.util.Ticker.system(),
        java.util.concurrent.TimeUnit.SECONDS.toNanos(Long.getLong("salve.tls.logIntervalSeconds", 10)));
    try {
      this.listeners = TlsListeners.create(config, events, rotation);
      for (UpstreamConfig u : config.upstreams().values()) {
        if (u.tls() != null) {
          prebuilt.put(u.name(), build(u.name(), u));
        }
      }
    } catch (TlsMaterialException e) {
      rotation.close();
      throw e;
    }
  }

  /**
   * Builds (and drops) every TLS context of {@code config}, for {@code --check-config}: PEM content,
   * key-certificate pairs and the engine's acceptance are checked as at startup, nothing is watched.
   *
   * @return one {@code FILE: reason} per listener or upstream whose material cannot be used
   */
  public static java.util.List<String> check(SalveConfig config) {
    java.util.List<String> problems = new java.util.ArrayList<>();
    for (io.salve.config.ListenerConfig l : config.listeners()) {
      if (l.tls() != null) {
        try {
          ServerTls.create(l.name(), l.tls(), 1000);
        } catch (TlsMaterialException e) {
          problems.add(e.getMessage() + " (listener '" + l.name() + "')");
        }
      }
    }
    FailureLogLimiter quiet = new FailureLogLimiter(io.salve.proxy.util.Ticker.system(), Long.MAX_VALUE);
    for (UpstreamConfig u : config.upstreams().values()) {
      if (u.tls() != null) {
        try {
          ClientTls.create(u.name(), u.tls(), TlsEvents.NONE, quiet);
        } catch (TlsMaterialException e) {
          problems.add(e.getMessage() + " (upstream '" + u.name() + "')");
        }
      }
    }
    return problems;
  }

  public TlsListeners listeners() {
    return listeners;
  }

  /**
   * @return the TLS origination of an upstream (its prebuilt one at startup, a new one on reload)
   * @throws IllegalStateException naming the file when its material cannot be used (the reload fails)
   */
  public ClientTls upstreamTls(String name, io.salve.config.UpstreamTlsConfig config) {
    ClientTls tls = prebuilt.remove(name);
    if (tls != null) {
      return tls;
    }
    try {
      ClientTls created = ClientTls.create(name, config, events, upstreamLog);
      rotation.watch(created);
      return created;
    } catch (TlsMaterialException e) {
      throw new IllegalStateException("upstream '" + name + "': " + e.getMessage());
    }
  }

  private ClientTls build(String name, UpstreamConfig u) throws TlsMaterialException {
    ClientTls tls = ClientTls.create(name, u.tls(), events, upstreamLog);
    rotation.watch(tls);
    return tls;
  }

  /** @return the rotation, for tests that check files without waiting for the watcher */
  public TlsRotation rotation() {
    return rotation;
  }

  @Override
  public void close() {
    rotation.close();
  }
}
