package io.salve.proxy.tls;

import java.nio.file.Path;
import java.util.List;

/** TLS contexts built from files, rebuilt when the files change ({@link TlsRotation}). */
public interface TlsMaterial {
  /** @return every file the contexts are built from */
  List<Path> files();

  /**
   * Rebuilds the contexts from the files; on failure the current contexts stay.
   *
   * @throws TlsMaterialException naming the file that cannot be used
   */
  void reload() throws TlsMaterialException;

  /** @return whose material this is, for logs, e.g. {@code listener 'ingress'} */
  String describe();
}
