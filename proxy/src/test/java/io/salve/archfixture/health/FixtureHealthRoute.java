package io.salve.archfixture.health;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.HttpMethod;
import io.salve.archfixture.admin.FixtureRoute;

/** A health concern that serves its own HTTP route and names its own meter. */
public final class FixtureHealthRoute implements FixtureRoute {
  @Override
  public String path() {
    return HttpMethod.GET.name() + " /health";
  }

  public void count(MeterRegistry registry) {
    registry.counter("salve.fixture").increment();
  }
}
