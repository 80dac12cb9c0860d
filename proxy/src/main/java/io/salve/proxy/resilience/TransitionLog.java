package io.salve.proxy.resilience;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs one line per circuit transition and per ejection: state changes, never per request. */
public final class TransitionLog implements CircuitBreakerListener, OutlierListener {
  private static final Logger LOG = LoggerFactory.getLogger(TransitionLog.class);

  @Override
  public void onStateTransition(String upstream, CircuitState from, CircuitState to) {
    LOG.info("upstream {}: circuit {} -> {}", upstream, from.key(), to.key());
  }

  @Override
  public void onEjected(String upstream, String endpoint, long ejectionNanos) {
    LOG.info("upstream {}: endpoint {} ejected for {} ms", upstream, endpoint, ejectionNanos / 1_000_000);
  }

  @Override
  public void onReturned(String upstream, String endpoint) {
    LOG.info("upstream {}: endpoint {} returned to load balancing", upstream, endpoint);
  }
}
