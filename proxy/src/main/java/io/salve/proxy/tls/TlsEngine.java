package io.salve.proxy.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.util.Locale;

/**
 * Which TLS implementation salve uses: OpenSSL (BoringSSL from {@code netty-tcnative-boringssl-static})
 * where its natives load, the JDK's otherwise. {@code -Dsalve.tls.provider=openssl|jdk} forces one;
 * forcing {@code openssl} where it is unavailable is a startup error naming the reason.
 */
public final class TlsEngine {
  public static final String PROPERTY = "salve.tls.provider";

  private TlsEngine() {}

  /** @return the provider to build every TLS context with. */
  public static SslProvider provider() {
    String wanted = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
    switch (wanted) {
      case "jdk":
        return SslProvider.JDK;
      case "openssl":
        if (!OpenSsl.isAvailable()) {
          throw new IllegalStateException("-D" + PROPERTY + "=openssl, but OpenSSL is not available: "
              + OpenSsl.unavailabilityCause());
        }
        return SslProvider.OPENSSL;
      case "auto":
      case "":
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
      default:
        throw new IllegalStateException("-D" + PROPERTY + "=" + wanted + " (expected: openssl, jdk or auto)");
    }
  }

  /** @return the engine's name for the ready line, e.g. {@code openssl (BoringSSL)} or {@code jdk}. */
  public static String describe() {
    SslProvider p = provider();
    return p == SslProvider.OPENSSL ? "openssl (" + OpenSsl.versionString() + ")" : "jdk";
  }
}
