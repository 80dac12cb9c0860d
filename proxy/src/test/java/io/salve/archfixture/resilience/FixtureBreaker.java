package io.salve.archfixture.resilience;

import io.netty.channel.Channel;

/** A decision that closes a Netty channel itself instead of returning a decision. */
public final class FixtureBreaker {
  public void trip(Channel channel) {
    channel.close();
  }
}
