package io.salve.proxy.upstream;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import io.salve.proxy.tls.ClientTls;
import io.salve.proxy.tls.UpstreamTlsException;
import java.util.function.Consumer;
import javax.net.ssl.SSLHandshakeException;

/**
 * TLS origination on a pooled connection, for either pool: the handlers that go first in its
 * pipeline, and the wait for the handshake (timed, counted and logged by {@link ClientTls}) before
 * the connection is used. A failed handshake, or an ALPN answer other than the one required, is an
 * {@link UpstreamTlsException}: nothing was sent, and the connection is closed.
 */
final class UpstreamTlsHandshake {
  private UpstreamTlsHandshake() {}

  /** Puts the TLS handlers first in a new connection's pipeline; nothing for a plaintext upstream. */
  static void install(Channel ch, UpstreamSettings settings, Endpoint endpoint) {
    ClientTls tls = settings.tls();
    if (tls == null) {
      return;
    }
    ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), endpoint.socketAddress().getHostString(),
        endpoint.socketAddress().getPort(), settings.connectTimeoutMillis()));
    ch.pipeline().addLast("tlsErrors", tls.errorLogger(endpoint.key()));
  }

  /**
   * Runs {@code ready} once the connection's handshake succeeded (at once on a plaintext
   * connection), or {@code failed} with an {@link UpstreamTlsException} after closing it.
   *
   * @param alpn the protocol the upstream must select by ALPN, or null to accept any answer
   */
  static void await(Channel ch, UpstreamSettings settings, Endpoint endpoint, String alpn, Runnable ready,
      Consumer<UpstreamTlsException> failed) {
    SslHandler handler = ch.pipeline().get(SslHandler.class);
    if (handler == null) {
      ready.run();
      return;
    }
    long start = System.nanoTime();
    handler.handshakeFuture().addListener(h -> {
      Throwable failure = h.cause();
      if (failure == null && alpn != null && !alpn.equals(handler.applicationProtocol())) {
        failure = new SSLHandshakeException("the upstream did not agree to " + alpn + " by ALPN (it chose "
            + (handler.applicationProtocol() == null ? "nothing" : handler.applicationProtocol()) + ")");
      }
      settings.tls().handshakeDone(endpoint.key(), failure, System.nanoTime() - start);
      if (failure == null) {
        ready.run();
      } else {
        ch.close();
        failed.accept(new UpstreamTlsException(failure));
      }
    });
  }
}
