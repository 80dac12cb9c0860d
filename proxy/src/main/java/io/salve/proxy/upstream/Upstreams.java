package io.salve.proxy.upstream;

import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.salve.config.SalveConfig;
import io.salve.config.UpstreamConfig;
import io.salve.proxy.transport.Transports;
import io.salve.proxy.util.Ticker;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every upstream of a configuration, by name, sharing one asynchronous DNS resolver. Immutable: a
 * reloaded configuration gets a {@link #next} generation, which shares the resolver and keeps the
 * running {@link Upstream} of every upstream whose definition did not change.
 */
public final class Upstreams implements AutoCloseable {
  private final Map<String, Upstream> byName = new LinkedHashMap<>();
  private final DnsAddressResolverGroup resolver;
  private final int eventLoops;
  private final UpstreamTlsFactory tls;

  public Upstreams(SalveConfig config, int eventLoops) {
    this(config, eventLoops, UpstreamTlsFactory.PLAINTEXT);
  }

  /**
   * @param tls builds the TLS origination of upstreams with a {@code tls} section
   * @throws IllegalStateException (from {@code tls}) when an upstream's TLS files cannot be used
   */
  public Upstreams(SalveConfig config, int eventLoops, UpstreamTlsFactory tls) {
    this(
        config,
        eventLoops,
        tls,
        new DnsAddressResolverGroup(
            new DnsNameResolverBuilder()
                .datagramChannelType(Transports.datagramChannel())
                .nameServerProvider(DnsServerAddressStreamProviders.platformDefault())),
        Map.of());
  }

  private Upstreams(SalveConfig config, int eventLoops, UpstreamTlsFactory tls, DnsAddressResolverGroup resolver,
      Map<String, Upstream> running) {
    this.resolver = resolver;
    this.eventLoops = eventLoops;
    this.tls = tls;
    for (UpstreamConfig uc : config.upstreams().values()) {
      Upstream kept = running.get(uc.name());
      if (kept != null && kept.config().equals(uc)) {
        byName.put(uc.name(), kept); // same definition: its breaker, health, ejections and pools live on
        continue;
      }
      UpstreamSettings settings =
          new UpstreamSettings(
              Transports.clientChannel(),
              resolver,
              upstreamDecoderConfig(),
              uc.connectTimeout().toMillis(),
              uc.idleTimeout().toMillis(),
              Math.max(1, (uc.maxConnectionsPerEndpoint() + eventLoops - 1) / eventLoops),
              uc.tls() == null ? null : tls.create(uc.name(), uc.tls()));
      byName.put(uc.name(), new Upstream(uc, settings, Ticker.system()));
    }
  }

  /**
   * @return the upstreams of a reloaded configuration: the same running objects for unchanged
   *     definitions, new ones for added or changed upstreams
   */
  public Upstreams next(SalveConfig config) {
    return new Upstreams(config, eventLoops, tls, resolver, byName);
  }

  /**
   * Strict response parsing: an upstream gets no more leeway than a client (see {@link
   * StrictResponseDecoder} for what is checked beyond these settings).
   */
  static HttpDecoderConfig upstreamDecoderConfig() {
    return new HttpDecoderConfig()
        .setMaxInitialLineLength(8192)
        .setMaxHeaderSize(64 * 1024)
        .setMaxChunkSize(64 * 1024)
        .setStrictLineParsing(true)
        .setAllowDuplicateContentLengths(false)
        .setUseRfc9112TransferEncoding(true)
        .setValidateHeaders(true);
  }

  /** @return the shared asynchronous resolver (health probes use it too); closed with this object. */
  public AddressResolverGroup<InetSocketAddress> resolver() {
    return resolver;
  }

  public Upstream get(String name) {
    return byName.get(name);
  }

  public Collection<Upstream> all() {
    return byName.values();
  }

  /** Closes the resolver, which every generation shares: call it once, on the last one. */
  @Override
  public void close() {
    resolver.close();
  }
}
