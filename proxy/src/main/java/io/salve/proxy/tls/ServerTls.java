package io.salve.proxy.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.DomainWildcardMappingBuilder;
import io.netty.util.Mapping;
import io.salve.config.ListenerTlsConfig;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * The TLS termination of one listener: an SSL context per certificate, chosen by the client's SNI
 * name (the listener's {@code cert} when no name matches or none is sent). The contexts are rebuilt
 * from the files by {@link #reload()}: new handshakes use the new material, established connections
 * keep theirs.
 */
public final class ServerTls implements TlsMaterial {
  /** Sessions kept for resumption (per context) and how long; session tickets are on in both engines. */
  private static final long SESSION_CACHE_SIZE = 20_480;
  private static final long SESSION_TIMEOUT_SECONDS = 300;
  static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private final String listener;
  private final ListenerTlsConfig config;
  private final long handshakeTimeoutMillis;
  private volatile Mapping<String, SslContext> contexts;
  private volatile double notAfter;

  private ServerTls(String listener, ListenerTlsConfig config, long handshakeTimeoutMillis,
      Mapping<String, SslContext> contexts) {
    this.listener = listener;
    this.config = config;
    this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    this.contexts = contexts;
    this.notAfter = TlsMaterial.earliestExpiry(certFiles(config));
  }

  /** @throws TlsMaterialException naming the file that cannot be used */
  public static ServerTls create(String listener, ListenerTlsConfig config, long handshakeTimeoutMillis)
      throws TlsMaterialException {
    return new ServerTls(listener, config, handshakeTimeoutMillis, build(config));
  }

  public String listener() {
    return listener;
  }

  public ListenerTlsConfig config() {
    return config;
  }

  /** @return a handler that reads the ClientHello and replaces itself with the chosen context's SslHandler */
  public SniHandler newHandler() {
    Mapping<String, SslContext> current = contexts;
    return new SniHandler(current::map, handshakeTimeoutMillis);
  }

  @Override
  public List<Path> files() {
    List<Path> files = new ArrayList<>(List.of(config.cert(), config.key()));
    if (config.clientCa() != null) {
      files.add(config.clientCa());
    }
    config.certificates().forEach(c -> files.addAll(List.of(c.cert(), c.key())));
    return files;
  }

  @Override
  public void reload() throws TlsMaterialException {
    contexts = build(config);
    notAfter = TlsMaterial.earliestExpiry(certFiles(config));
  }

  @Override
  public String kind() {
    return "listener";
  }

  @Override
  public String name() {
    return listener;
  }

  @Override
  public double notAfterEpochSeconds() {
    return notAfter;
  }

  private static List<Path> certFiles(ListenerTlsConfig config) {
    List<Path> files = new ArrayList<>(List.of(config.cert()));
    config.certificates().forEach(c -> files.add(c.cert()));
    return files;
  }

  @Override
  public String describe() {
    return "listener '" + listener + "'";
  }

  private static Mapping<String, SslContext> build(ListenerTlsConfig config) throws TlsMaterialException {
    X509Certificate[] clientCas = config.clientCa() == null ? null : PemFiles.certificates(config.clientCa());
    SslContext fallback = context(config, config.cert(), config.key(), clientCas);
    DomainWildcardMappingBuilder<SslContext> mapping = new DomainWildcardMappingBuilder<>(fallback);
    for (ListenerTlsConfig.SniCertificate c : config.certificates()) {
      SslContext ctx = context(config, c.cert(), c.key(), clientCas);
      c.serverNames().forEach(name -> mapping.add(name, ctx));
    }
    return mapping.build();
  }

  private static SslContext context(ListenerTlsConfig config, Path certFile, Path keyFile, X509Certificate[] clientCas)
      throws TlsMaterialException {
    X509Certificate[] chain = PemFiles.certificates(certFile);
    PrivateKey key = PemFiles.privateKey(keyFile);
    PemFiles.checkPair(certFile, chain[0], keyFile, key);
    SslContextBuilder b = SslContextBuilder.forServer(key, chain)
        .sslProvider(TlsEngine.provider())
        .protocols(PROTOCOLS)
        .sessionCacheSize(SESSION_CACHE_SIZE)
        .sessionTimeout(SESSION_TIMEOUT_SECONDS)
        .applicationProtocolConfig(new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            config.alpn()));
    if (clientCas != null) {
      b.trustManager(clientCas).clientAuth(ClientAuth.REQUIRE);
    }
    SslContext ctx;
    try {
      ctx = b.build();
    } catch (SSLException | RuntimeException e) {
      throw new TlsMaterialException(certFile, "the TLS engine refused this certificate and key: " + e.getMessage());
    }
    if (ctx.sessionContext() instanceof OpenSslSessionContext openssl) {
      // Netty turns OpenSSL's session tickets off unless keys are set; none given lets BoringSSL make
      // and rotate its own, which TLS 1.3 resumption needs (it has no session-id cache).
      openssl.setTicketKeys();
    }
    return ctx;
  }
}
