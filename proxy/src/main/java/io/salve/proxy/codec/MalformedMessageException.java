package io.salve.proxy.codec;

import io.netty.handler.codec.DecoderException;

/**
 * A message salve refuses to parse further: a head that breaks the HTTP/1.1 grammar, or a chunked
 * body whose framing broke before any of it was passed on. The message is safe to show to a client;
 * the cause, if any, is Netty's own finding.
 */
public final class MalformedMessageException extends DecoderException {
  private static final long serialVersionUID = 1L;

  public MalformedMessageException(String message) {
    super(message);
  }

  public MalformedMessageException(String message, Throwable cause) {
    super(message, cause);
  }
}
