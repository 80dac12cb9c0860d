package io.salve.proxy.upstream;

import java.io.IOException;

/**
 * The upstream did not process a stream: it answered RST_STREAM REFUSED_STREAM, or its GOAWAY named a
 * last stream id below the stream's (RFC 9113 §8.7, §6.8). Nothing of the request was acted on, so
 * the attempt may be retried whatever the method, like a failed connect.
 */
public final class StreamRefusedException extends IOException {
  public StreamRefusedException(String message) {
    super(message, null);
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this; // a protocol signal, not a bug: no stack to collect
  }
}
