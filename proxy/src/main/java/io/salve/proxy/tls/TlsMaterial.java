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

  /** @return {@code listener} or {@code upstream} */
  String kind();

  /** @return the listener's or upstream's name */
  String name();

  /**
   * @return when the first of the certificates salve presents expires, in epoch seconds (as last
   *     built), or NaN when it presents none (an upstream without a client certificate)
   */
  double notAfterEpochSeconds();

  /** @return the earliest expiry of the leaf certificates in {@code files}, epoch seconds, or NaN for none */
  static double earliestExpiry(List<Path> files) {
    double earliest = Double.NaN;
    for (Path f : files) {
      try {
        double t = PemFiles.certificates(f)[0].getNotAfter().toInstant().getEpochSecond();
        earliest = Double.isNaN(earliest) ? t : Math.min(earliest, t);
      } catch (TlsMaterialException e) {
        // built a moment ago from this file: a file changing meanwhile is the next rotation's business
      }
    }
    return earliest;
  }
}
