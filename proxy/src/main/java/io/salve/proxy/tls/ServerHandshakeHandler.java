package io.salve.proxy.tls;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits after a listener's TLS handler: when the handshake succeeds it records the verified client
 * certificate ({@link ClientIdentity}); when it fails it counts the reason, logs it (rate-limited)
 * and closes the connection. TLS errors arrive as exceptions too, during the handshake and after it
 * (a corrupt record, a client's alert): they are taken here, so the HTTP handlers never see them and
 * a misbehaving client never causes a stack trace in the log.
 */
final class ServerHandshakeHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(ServerHandshakeHandler.class);

  private final String listener;
  private final boolean clientCertificates;
  private final TlsEvents events;
  private final FailureLogLimiter logLimiter;
  private boolean failed;
  private boolean handshakeDone;

  ServerHandshakeHandler(String listener, boolean clientCertificates, TlsEvents events, FailureLogLimiter logLimiter) {
    this.listener = listener;
    this.clientCertificates = clientCertificates;
    this.events = events;
    this.logLimiter = logLimiter;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof SslHandshakeCompletionEvent done) {
      if (done.isSuccess()) {
        handshakeDone = true;
        if (clientCertificates) {
          recordIdentity(ctx);
        }
      } else {
        fail(ctx, done.cause());
      }
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    if (handshakeDone && c instanceof SSLException) {
      LOG.debug("TLS error on an established connection of listener '{}' from {}: {}", listener,
          ctx.channel().remoteAddress(), message(c));
      ctx.close();
      return;
    }
    if (c instanceof SSLException || failed) {
      fail(ctx, c);
      return;
    }
    ctx.fireExceptionCaught(cause);
  }

  private void recordIdentity(ChannelHandlerContext ctx) {
    SslHandler ssl = ctx.pipeline().get(SslHandler.class);
    try {
      Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
      if (chain.length > 0 && chain[0] instanceof X509Certificate leaf) {
        ClientIdentity.set(ctx.channel(), ClientIdentity.from(leaf));
      }
    } catch (SSLPeerUnverifiedException e) {
      // clientAuth REQUIRE makes this unreachable; without a certificate the connection has no identity
    }
  }

  private void fail(ChannelHandlerContext ctx, Throwable cause) {
    if (failed) {
      return;
    }
    failed = true;
    HandshakeFailure kind = HandshakeFailure.classify(cause);
    events.clientHandshakeFailed(listener, kind.reason());
    long left = logLimiter.admit(listener + '|' + kind.reason());
    if (left >= 0) {
      LOG.warn("TLS handshake failed on listener '{}' from {}: {} ({}){}", listener, ctx.channel().remoteAddress(),
          kind.reason(), message(cause), left > 0 ? " [" + left + " more like it not logged]" : "");
    }
    ctx.close();
  }

  /** @return the message of the deepest cause (the engine's wrapper says little), on one line, bounded */
  static String message(Throwable cause) {
    Throwable root = cause;
    while (root != null && root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    cause = root;
    String m = cause == null ? null : cause.getMessage();
    if (m == null) {
      return cause == null ? "unknown" : cause.getClass().getSimpleName();
    }
    m = m.replaceAll("\\s+", " ");
    return m.length() > 200 ? m.substring(0, 200) + "..." : m;
  }
}
