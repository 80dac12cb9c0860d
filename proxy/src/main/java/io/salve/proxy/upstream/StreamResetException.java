package io.salve.proxy.upstream;

import java.io.IOException;

/** The upstream reset the stream (RST_STREAM) with an error code other than REFUSED_STREAM. */
public final class StreamResetException extends IOException {
  public StreamResetException(String message) {
    super(message, null);
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }
}
