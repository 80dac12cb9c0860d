package io.salve.archfixture.forward;

import io.salve.archfixture.FixtureMain;
import io.salve.archfixture.server.FixtureServer;

/** Calls back into the server that built it (the cycle) and reads the composition root. */
public final class FixtureReceiver {
  private final FixtureServer server;

  public FixtureReceiver(FixtureServer server) {
    this.server = server;
  }

  /** Times itself with the system clock instead of an injected ticker. */
  public long startedNanos() {
    return System.nanoTime();
  }

  public String drain() {
    server.drained();
    return FixtureMain.name();
  }
}
