package io.salve.proxy.upstream;

import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.salve.config.SalveConfig;
import io.salve.config.UpstreamConfig;
import io.salve.proxy.server.Transports;
import io.salve.proxy.util.Ticker;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** Every upstream of a configuration, by name, sharing one asynchronous DNS resolver. */
public final class Upstreams implements AutoCloseable {
  private final Map<String, Upstream> byName = new LinkedHashMap<>();
  private final DnsAddressResolverGroup resolver;

  public Upstreams(SalveConfig config, int eventLoops) {
    this.resolver =
        new DnsAddressResolverGroup(
            new DnsNameResolverBuilder()
                .datagramChannelType(Transports.datagramChannel())
                .nameServerProvider(DnsServerAddressStreamProviders.platformDefault()));
    for (UpstreamConfig uc : config.upstreams().values()) {
      UpstreamSettings settings =
          new UpstreamSettings(
              Transports.clientChannel(),
              resolver,
              upstreamDecoderConfig(),
              uc.connectTimeout().toMillis(),
              uc.idleTimeout().toMillis(),
              Math.max(1, (uc.maxConnectionsPerEndpoint() + eventLoops - 1) / eventLoops));
      byName.put(uc.name(), new Upstream(uc, settings, Ticker.system()));
    }
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

  @Override
  public void close() {
    resolver.close();
  }
}
