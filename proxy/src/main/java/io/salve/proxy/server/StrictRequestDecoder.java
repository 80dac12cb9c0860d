package io.salve.proxy.server;

import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.salve.config.ListenerLimits;

/**
 * Netty's request decoder set to its strictest: CRLF line endings only, no duplicate Content-Length,
 * validated header names and values, and - unlike the default - a message with both
 * Transfer-Encoding and Content-Length keeps both, so the request checks refuse it instead of
 * silently trusting one of them (RFC 9112 §6.1: such a message is a smuggling attempt).
 */
public final class StrictRequestDecoder extends HttpRequestDecoder {
  public StrictRequestDecoder(ListenerLimits limits) {
    super(
        new HttpDecoderConfig()
            .setMaxInitialLineLength(limits.maxInitialLineLength())
            .setMaxHeaderSize(limits.maxHeaderSize())
            .setMaxChunkSize(64 * 1024)
            .setStrictLineParsing(true)
            .setAllowDuplicateContentLengths(false)
            .setValidateHeaders(true));
  }

  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    // Deliberately keep Content-Length: see the class comment.
  }
}
