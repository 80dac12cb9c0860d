package io.salve.proxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.salve.proxy.forward.ExchangeObserver;
import io.salve.proxy.forward.ExchangeRecord;
import io.salve.proxy.forward.Tunnel;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Upgraded (WebSocket) tunnels per listener: {@code salve_tunnels_opened_total}, {@code salve_tunnels_open},
 * {@code salve_tunnels_closed_total{end}} and {@code salve_tunnel_bytes_total{direction}}. A tunnel's
 * request is logged and counted as a request at its 101; these meters cover the tunnel's life after it.
 */
public final class TunnelMetrics implements ExchangeObserver {
  private final MeterRegistry registry;
  private final Map<String, ListenerMeters> byListener = new ConcurrentHashMap<>();

  public TunnelMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Registers a listener's meters, so they show (at 0) before its first tunnel. */
  public void bindListener(String listener) {
    meters(listener);
  }

  @Override
  public void onTunnelOpened(String listener) {
    ListenerMeters m = meters(listener);
    m.opened.increment();
    m.open.incrementAndGet();
  }

  @Override
  public void onTunnelClosed(String listener, Tunnel.End end, long bytesToUpstream, long bytesToClient) {
    ListenerMeters m = meters(listener);
    m.open.decrementAndGet();
    m.closed.get(end).increment();
    m.toUpstream.increment(bytesToUpstream);
    m.toClient.increment(bytesToClient);
  }

  @Override
  public void onRequestStarted(String listener) {}

  @Override
  public void onRequestEnded(ExchangeRecord record) {}

  @Override
  public void onAttemptEnded(String upstream, String endpoint, String outcome) {}

  private ListenerMeters meters(String listener) {
    ListenerMeters m = byListener.get(listener);
    return m != null ? m : byListener.computeIfAbsent(listener, l -> new ListenerMeters(registry, l));
  }

  private static final class ListenerMeters {
    final Counter opened;
    final AtomicInteger open = new AtomicInteger();
    final Map<Tunnel.End, Counter> closed = new EnumMap<>(Tunnel.End.class);
    final Counter toUpstream;
    final Counter toClient;

    ListenerMeters(MeterRegistry registry, String listener) {
      opened = Counter.builder("salve.tunnels.opened")
          .description("Connections upgraded (after a 101) to a tunnel")
          .tag("listener", listener)
          .register(registry);
      Gauge.builder("salve.tunnels.open", open, AtomicInteger::get)
          .description("Upgraded tunnels open now")
          .tag("listener", listener)
          .register(registry);
      for (Tunnel.End end : Tunnel.End.values()) {
        closed.put(end, Counter.builder("salve.tunnels.closed")
            .description("Tunnels ended, by what ended them")
            .tags("listener", listener, "end", end.name().toLowerCase(Locale.ROOT))
            .register(registry));
      }
      toUpstream = bytes(registry, listener, "to_upstream");
      toClient = bytes(registry, listener, "to_client");
    }

    private static Counter bytes(MeterRegistry registry, String listener, String direction) {
      return Counter.builder("salve.tunnel.bytes")
          .description("Bytes relayed over ended tunnels, by direction")
          .baseUnit("bytes")
          .tags("listener", listener, "direction", direction)
          .register(registry);
    }
  }
}
