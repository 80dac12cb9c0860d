package io.salve.proxy.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.salve.config.UpstreamTlsConfig;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS origination to one upstream: trust ({@code ca}, or the JDK's trust store), hostname
 * verification against the SNI name (the endpoint's host unless {@code sni} is set), a client
 * certificate when {@code cert}/{@code key} are set, ALPN offering http/1.1. {@link #reload()}
 * rebuilds the context from the files: new connections use it, pooled ones keep theirs.
 */
public final class ClientTls implements TlsMaterial {
  private static final Logger LOG = LoggerFactory.getLogger(ClientTls.class);

  private final String upstream;
  private final UpstreamTlsConfig config;
  private final TlsEvents events;
  private final FailureLogLimiter logLimiter;
  private volatile SslContext context;
  private volatile double notAfter;

  private ClientTls(String upstream, UpstreamTlsConfig config, TlsEvents events, FailureLogLimiter logLimiter)
      throws TlsMaterialException {
    this.upstream = upstream;
    this.config = config;
    this.events = events;
    this.logLimiter = logLimiter;
    this.context = build(config);
    this.notAfter = TlsMaterial.earliestExpiry(certFiles());
  }

  /**
   * @throws TlsMaterialException naming the file that cannot be used
   */
  public static ClientTls create(String upstream, UpstreamTlsConfig config, TlsEvents events,
      FailureLogLimiter logLimiter) throws TlsMaterialException {
    if (!config.verify()) {
      LOG.warn("!!! upstream '{}': tls.verify is false: salve does NOT verify its certificate or name; anyone on the"
          + " path can impersonate it. Use this only for tests. !!!", upstream);
    }
    return new ClientTls(upstream, config, events, logLimiter);
  }

  public String upstream() {
    return upstream;
  }

  /**
   * @param host the endpoint's host name or address
   * @return the handler for a new connection to {@code host:port}; SNI and the verified name are
   *     {@code tls.sni} when set, else {@code host} (no SNI is sent for an IP address)
   */
  public SslHandler newHandler(ByteBufAllocator alloc, String host, int port, long handshakeTimeoutMillis) {
    SslHandler h = context.newHandler(alloc, config.sni() != null ? config.sni() : host, port);
    h.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
    return h;
  }

  /** Reports a finished handshake to metrics and, when it failed, to the log (rate-limited). */
  public void handshakeDone(String endpoint, Throwable failure, long durationNanos) {
    if (failure == null) {
      events.upstreamHandshake(upstream, "success", durationNanos);
      return;
    }
    HandshakeFailure kind = HandshakeFailure.classify(failure);
    events.upstreamHandshake(upstream, kind.reason(), durationNanos);
    long left = logLimiter.admit(upstream + '|' + endpoint + '|' + kind.reason());
    if (left >= 0) {
      LOG.warn("upstream '{}' endpoint {}: TLS handshake failed: {} ({}){}", upstream, endpoint, kind.reason(),
          ServerHandshakeHandler.message(failure), left > 0 ? " [" + left + " more like it not logged]" : "");
    }
  }

  /**
   * @return a handler to put after the SslHandler of a connection to {@code endpoint}: it logs a TLS
   *     error that arrives after the handshake (rate-limited), such as the alert a TLS 1.3 upstream
   *     sends when it refuses salve's client certificate, and passes the error on
   */
  public ChannelHandler errorLogger(String endpoint) {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        if (ssl != null && ssl.handshakeFuture().isSuccess() && UpstreamTlsException.isTlsFailure(cause)) {
          HandshakeFailure kind = HandshakeFailure.classify(cause);
          long left = logLimiter.admit(upstream + '|' + endpoint + "|after|" + kind.reason());
          if (left >= 0) {
            LOG.warn("upstream '{}' endpoint {}: TLS error after the handshake: {} ({}){}", upstream, endpoint,
                kind.reason(), ServerHandshakeHandler.message(cause),
                left > 0 ? " [" + left + " more like it not logged]" : "");
          }
        }
        ctx.fireExceptionCaught(cause);
      }
    };
  }

  @Override
  public List<Path> files() {
    List<Path> files = new ArrayList<>();
    if (config.ca() != null) {
      files.add(config.ca());
    }
    if (config.cert() != null) {
      files.add(config.cert());
      files.add(config.key());
    }
    return files;
  }

  @Override
  public void reload() throws TlsMaterialException {
    context = build(config);
    notAfter = TlsMaterial.earliestExpiry(certFiles());
  }

  @Override
  public String kind() {
    return "upstream";
  }

  @Override
  public String name() {
    return upstream;
  }

  @Override
  public double notAfterEpochSeconds() {
    return notAfter;
  }

  private List<Path> certFiles() {
    return config.cert() == null ? List.of() : List.of(config.cert());
  }

  @Override
  public String describe() {
    return "upstream '" + upstream + "'";
  }

  private static SslContext build(UpstreamTlsConfig config) throws TlsMaterialException {
    SslContextBuilder b = SslContextBuilder.forClient()
        .sslProvider(TlsEngine.provider())
        .protocols(ServerTls.PROTOCOLS)
        .applicationProtocolConfig(new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            config.alpn()));
    if (!config.verify()) {
      b.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
    } else {
      b.endpointIdentificationAlgorithm("HTTPS");
      if (config.ca() != null) {
        b.trustManager(PemFiles.certificates(config.ca()));
      }
    }
    Path certFile = config.cert();
    if (certFile != null) {
      X509Certificate[] chain = PemFiles.certificates(certFile);
      PrivateKey key = PemFiles.privateKey(config.key());
      PemFiles.checkPair(certFile, chain[0], config.key(), key);
      b.keyManager(key, chain);
    }
    try {
      return b.build();
    } catch (SSLException | RuntimeException e) {
      throw new TlsMaterialException(certFile != null ? certFile : config.ca() != null ? config.ca() : Path.of("."),
          "the TLS engine refused it: " + e.getMessage());
    }
  }
}
