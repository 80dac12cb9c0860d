package io.salve.archfixture.server;

import io.salve.archfixture.forward.FixtureReceiver;

/** Builds a receiver per connection; with {@link FixtureReceiver} it forms the fixture's cycle. */
public final class FixtureServer {
  public FixtureReceiver accept() {
    return new FixtureReceiver(this);
  }

  public void drained() {}
}
