package io.salve.proxy.upstream;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.resolver.AddressResolverGroup;
import io.salve.proxy.tls.ClientTls;
import java.net.SocketAddress;

/**
 * What every pool of one upstream needs to open connections, fixed at startup.
 *
 * @param maxConnectionsPerLoop the upstream's maxConnectionsPerEndpoint split over the event loops
 * @param tls TLS origination, or null for plaintext
 */
record UpstreamSettings(
    Class<? extends Channel> channelClass,
    AddressResolverGroup<? extends SocketAddress> resolver,
    HttpDecoderConfig decoderConfig,
    long connectTimeoutMillis,
    long idleTimeoutMillis,
    int maxConnectionsPerLoop,
    ClientTls tls) {}
