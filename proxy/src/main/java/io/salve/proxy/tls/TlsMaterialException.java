package io.salve.proxy.tls;

import java.nio.file.Path;

/** TLS files that cannot be used: unreadable, not PEM, or a certificate and key that do not belong together. */
public final class TlsMaterialException extends Exception {
  private final Path file;

  public TlsMaterialException(Path file, String message) {
    super(file + ": " + message, null, false, false);
    this.file = file;
  }

  /** @return the file at fault */
  public Path file() {
    return file;
  }
}
