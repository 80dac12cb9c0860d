package io.salve.proxy.forward;

import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.salve.proxy.tls.UpstreamTlsException;
import io.salve.proxy.upstream.StreamRefusedException;
import io.salve.proxy.upstream.UpstreamStream;

/**
 * Hears what the current attempt's stream says and carries the response direction: informational
 * heads and the final response go to the {@link ClientResponseWriter}, pausing the stream while the
 * client cannot take more; everything that ends an attempt (a malformed or refused response, close,
 * error, idleness) and the final head, which may be retried, go to the attempt loop.
 */
final class UpstreamResponseReader implements UpstreamStream.Listener {
  private final ProxyExchange loop;
  private final ClientSide client;
  private final ClientResponseWriter writer;
  private final UpstreamRequestWriter requestWriter;
  private final ExchangeResources held;

  UpstreamResponseReader(
      ProxyExchange loop, ClientSide client, ClientResponseWriter writer, UpstreamRequestWriter requestWriter,
      ExchangeResources held) {
    this.loop = loop;
    this.client = client;
    this.writer = writer;
    this.requestWriter = requestWriter;
    this.held = held;
  }

  @Override
  public void onResponseObject(HttpObject msg) {
    if (loop.state() == ExchangeState.DONE) {
      ReferenceCountUtil.release(msg);
    } else if (msg.decoderResult().isFailure()) {
      ReferenceCountUtil.release(msg);
      loop.attemptFailed(AttemptFailure.PROTOCOL);
    } else if (msg instanceof HttpResponse && !onHead((HttpResponse) msg)) {
      ReferenceCountUtil.release(msg);
    } else if (msg instanceof HttpContent) {
      onContent((HttpContent) msg);
    }
  }

  /** @return false when the head is not passed on (retried or refused). */
  private boolean onHead(HttpResponse response) {
    int code = response.status().code();
    if (code < 200) {
      if (code == 101) {
        if (loop.onSwitchingProtocols(response)) {
          return true; // the head went to the client, the connection is a tunnel now
        }
        loop.attemptFailed(AttemptFailure.PROTOCOL); // no upgrade was asked for: Upgrade was stripped on the way up
        return false;
      }
      loop.moveTo(ExchangeState.INFORMATIONAL);
      writer.informational(response);
      return true;
    }
    int fields = FieldScan.of(response.headers());
    if (!HopByHop.strip(response.headers(), fields)) {
      loop.attemptFailed(AttemptFailure.PROTOCOL);
      return false;
    }
    return loop.onFinalHead(response, fields);
  }

  private void onContent(HttpContent content) {
    if (loop.state() == ExchangeState.INFORMATIONAL) {
      if (content instanceof LastHttpContent) {
        loop.moveTo(ExchangeState.AWAITING_RESPONSE);
      }
      writer.informationalEnd(content);
      return;
    }
    ChannelFuture lastWritten = writer.content(content);
    if (lastWritten == null) {
      if (!client.isWritable()) {
        held.readResponse(false); // unless the write ended the exchange and the stream went back
      }
      return;
    }
    loop.onResponseComplete(lastWritten);
  }

  @Override
  public void onUpstreamWritabilityChanged(boolean writable) {
    if (writable && loop.state() != ExchangeState.DONE) {
      requestWriter.onUpstreamWritable();
    }
  }

  @Override
  public void onUpstreamClosed() {
    loop.attemptFailed(AttemptFailure.RESET);
  }

  @Override
  public void onUpstreamError(Throwable cause) {
    // An SSL error here is a TLS alert after the handshake looked done, as a TLS 1.3 upstream sends
    // when it refuses salve's client certificate: a TLS failure, not a malformed response.
    loop.attemptFailed(UpstreamTlsException.isTlsFailure(cause) ? AttemptFailure.TLS
        : cause instanceof StreamRefusedException ? AttemptFailure.REFUSED
        : cause instanceof DecoderException ? AttemptFailure.PROTOCOL : AttemptFailure.RESET);
  }

  @Override
  public void onUpstreamIdle() {
    loop.attemptFailed(AttemptFailure.TIMEOUT);
  }
}
