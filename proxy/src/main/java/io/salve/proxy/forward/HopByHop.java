package io.salve.proxy.forward;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.salve.proxy.codec.FieldNames;
import java.util.List;

/**
 * Removes hop-by-hop fields (RFC 9110 §7.6.1): every field nominated by {@code Connection}, then
 * {@code Connection}, {@code Keep-Alive}, {@code Proxy-Connection}, {@code TE}, {@code Trailer},
 * {@code Transfer-Encoding} and {@code Upgrade}. Framing is re-applied by the caller.
 */
public final class HopByHop {
  private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
  private static final AsciiString[] ALWAYS = {
    HttpHeaderNames.CONNECTION,
    HttpHeaderNames.KEEP_ALIVE,
    PROXY_CONNECTION,
    HttpHeaderNames.TE,
    HttpHeaderNames.TRAILER,
    HttpHeaderNames.TRANSFER_ENCODING,
    HttpHeaderNames.UPGRADE
  };
  /** The {@link FieldNames} bit of each of {@link #ALWAYS}. */
  private static final int[] ALWAYS_BITS = {
    FieldNames.CONNECTION,
    FieldNames.KEEP_ALIVE,
    FieldNames.PROXY_CONNECTION,
    FieldNames.TE,
    FieldNames.TRAILER,
    FieldNames.TRANSFER_ENCODING,
    FieldNames.UPGRADE
  };

  private HopByHop() {}

  /**
   * Strips hop-by-hop fields in place.
   *
   * @return false when {@code Connection} nominates a field that must never be removed this way
   *     (Content-Length, Transfer-Encoding or Host): the message is then to be refused
   */
  public static boolean strip(HttpHeaders headers) {
    return strip(headers, FieldScan.of(headers));
  }

  /** As {@link #strip(HttpHeaders)}, given the {@link FieldScan} of {@code headers}. */
  static boolean strip(HttpHeaders headers, int fields) {
    if ((fields & FieldNames.HOP_BY_HOP) == 0) {
      return true;
    }
    List<String> connection = headers.getAll(HttpHeaderNames.CONNECTION);
    for (int i = 0; i < connection.size(); i++) {
      String line = connection.get(i);
      // By hand rather than split(","): the usual line is one token ("keep-alive"), kept with no copy.
      for (int start = 0, comma; start < line.length(); start = comma + 1) {
        comma = line.indexOf(',', start);
        if (comma < 0) {
          comma = line.length();
        }
        String name = line.substring(start, comma).trim();
        if (name.isEmpty()) {
          continue;
        }
        if (name.equalsIgnoreCase("content-length")
            || name.equalsIgnoreCase("transfer-encoding")
            || name.equalsIgnoreCase("host")) {
          return false;
        }
        if (!alwaysRemoved(name)) { // those go below, and only when present
          headers.remove(name);
        }
      }
    }
    // Each removal is a scan of the fields: only the names the message carries are looked for.
    for (int i = 0; i < ALWAYS.length; i++) {
      if ((fields & ALWAYS_BITS[i]) != 0) {
        headers.remove(ALWAYS[i]);
      }
    }
    return true;
  }

  private static boolean alwaysRemoved(String name) {
    for (AsciiString always : ALWAYS) {
      if (always.contentEqualsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }
}
