package io.salve.proxy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns SIGTERM and SIGINT into a graceful drain that ends with exit code 0, as orchestrators expect;
 * a plain JVM shutdown hook would exit 143. Falls back to a shutdown hook where signals cannot be
 * handled. SIGHUP reloads the configuration instead of ending the process.
 */
final class ShutdownSignals {
  private static final Logger LOG = LoggerFactory.getLogger(ShutdownSignals.class);

  private ShutdownSignals() {}

  static void install(Runnable drain) {
    Thread drainer = new Thread(drain, "salve-drain");
    try {
      sun.misc.SignalHandler handler =
          sig -> {
            LOG.info("received SIG{}, draining", sig.getName());
            if (drainer.getState() == Thread.State.NEW) {
              drainer.start();
            }
          };
      sun.misc.Signal.handle(new sun.misc.Signal("TERM"), handler);
      sun.misc.Signal.handle(new sun.misc.Signal("INT"), handler);
    } catch (Throwable t) {
      Runtime.getRuntime().addShutdownHook(drainer);
    }
  }

  /**
   * Makes SIGHUP run {@code reload} (which must not block: the signal thread only hands it on)
   * instead of the JVM's default, which exits with 129.
   */
  static void onHangup(Runnable reload) {
    try {
      sun.misc.Signal.handle(
          new sun.misc.Signal("HUP"),
          sig -> {
            LOG.info("received SIGHUP, reloading the configuration");
            reload.run();
          });
    } catch (Throwable t) {
      LOG.warn("cannot handle SIGHUP here ({}); configuration reloads only follow file changes", t.toString());
    }
  }
}
