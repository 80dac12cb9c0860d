package io.salve.proxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.salve.proxy.forward.Tunnel;
import org.junit.jupiter.api.Test;

class TunnelMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final TunnelMetrics metrics = new TunnelMetrics(registry);

  @Test
  void aBoundListenerShowsItsMetersAtZero() {
    metrics.bindListener("edge");

    assertThat(registry.get("salve.tunnels.opened").tag("listener", "edge").counter().count()).isZero();
    assertThat(registry.get("salve.tunnels.open").tag("listener", "edge").gauge().value()).isZero();
    assertThat(registry.get("salve.tunnels.closed").tags("listener", "edge", "end", "drain").counter().count()).isZero();
  }

  @Test
  void countsOpenAndEndedTunnelsAndTheirBytes() {
    metrics.onTunnelOpened("edge");
    metrics.onTunnelOpened("edge");
    metrics.onTunnelClosed("edge", Tunnel.End.IDLE_TIMEOUT, 100, 2_000);

    assertThat(registry.get("salve.tunnels.opened").tag("listener", "edge").counter().count()).isEqualTo(2);
    assertThat(registry.get("salve.tunnels.open").tag("listener", "edge").gauge().value()).isEqualTo(1);
    assertThat(registry.get("salve.tunnels.closed").tags("listener", "edge", "end", "idle_timeout").counter().count())
        .isEqualTo(1);
    assertThat(registry.get("salve.tunnels.closed").tags("listener", "edge", "end", "client_closed").counter().count())
        .isZero();
    assertThat(registry.get("salve.tunnel.bytes").tags("listener", "edge", "direction", "to_upstream").counter().count())
        .isEqualTo(100);
    assertThat(registry.get("salve.tunnel.bytes").tags("listener", "edge", "direction", "to_client").counter().count())
        .isEqualTo(2_000);
  }
}
