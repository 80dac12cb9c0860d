package io.salve.proxy.forward;

import io.salve.proxy.route.PathNormalizer;
import java.util.Locale;

/**
 * A request-target split and canonicalised: origin-form ({@code /p?q}) or absolute-form
 * ({@code http://host/p?q}, whose authority replaces Host per RFC 9112 §3.2.2, while routing still
 * follows configuration only). Authority-form is refused, and asterisk-form never gets here (see
 * {@code RequestChecks}). The path is canonicalised by {@link PathNormalizer}; the query is kept
 * verbatim (it is not used for routing), but must be visible ASCII without {@code #}.
 *
 * @param authority the absolute-form authority, or null for origin-form
 * @param path the normalized path
 * @param query the query including its leading '?', or ""
 */
public record RequestTarget(String authority, String path, String query) {

  /** A request-target salve refuses; the message is safe to show to the client. */
  public static final class InvalidTargetException extends Exception {
    InvalidTargetException(String message) {
      super(message, null, false, false);
    }
  }

  /** @return the origin-form target to send upstream. */
  public String originForm() {
    return query.isEmpty() ? path : path + query;
  }

  /** Parses and normalizes a request-target. */
  public static RequestTarget parse(String uri) throws InvalidTargetException {
    String authority = null;
    String rest = uri;
    if (!uri.startsWith("/")) {
      if (!uri.regionMatches(true, 0, "http://", 0, 7)) {
        throw new InvalidTargetException("unsupported request-target form");
      }
      int end = 7;
      while (end < uri.length() && uri.charAt(end) != '/' && uri.charAt(end) != '?') {
        end++;
      }
      authority = uri.substring(7, end);
      if (!isValidHost(authority)) {
        throw new InvalidTargetException("invalid authority in request-target");
      }
      rest = end == uri.length() ? "/" : uri.substring(end);
      if (rest.startsWith("?")) {
        rest = "/" + rest;
      }
    }
    int q = rest.indexOf('?');
    String rawPath = q < 0 ? rest : rest.substring(0, q);
    String query = q < 0 ? "" : rest.substring(q);
    for (int i = 0; i < query.length(); i++) {
      char c = query.charAt(i);
      if (c <= 0x20 || c >= 0x7f || c == '#') {
        throw new InvalidTargetException("query contains a forbidden character");
      }
    }
    try {
      return new RequestTarget(authority, PathNormalizer.normalize(rawPath), query);
    } catch (PathNormalizer.InvalidPathException e) {
      throw new InvalidTargetException(e.getMessage());
    }
  }

  /**
   * @return whether {@code host} is a valid {@code Host} value: a name of letters, digits, '-', '.',
   *     '_' and '~' (the reg-name of RFC 3986 without escapes and sub-delims, which no DNS name
   *     uses and which some parsers read as separators, e.g. ',' as a list), an IPv4 address, or an
   *     IPv6 literal in brackets; then optionally ':' and a port from 0 to 65535. No userinfo.
   */
  public static boolean isValidHost(String host) {
    if (host.isEmpty() || host.length() > 255) {
      return false;
    }
    int i = 0;
    int n = host.length();
    if (host.charAt(0) == '[') {
      int close = host.indexOf(']');
      if (close < 3) {
        return false;
      }
      boolean colon = false;
      for (int j = 1; j < close; j++) {
        char c = host.charAt(j);
        if (c == ':') {
          colon = true;
        } else if (!(Character.digit(c, 16) >= 0 || c == '.')) {
          return false;
        }
      }
      if (!colon) {
        return false;
      }
      i = close + 1;
    } else {
      while (i < n && host.charAt(i) != ':') {
        char c = host.charAt(i);
        if (!(isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~')) {
          return false;
        }
        i++;
      }
      if (i == 0) {
        return false;
      }
    }
    if (i == n) {
      return true;
    }
    if (host.charAt(i) != ':' || n - i - 1 < 1 || n - i - 1 > 5) {
      return false;
    }
    int port = 0;
    for (int j = i + 1; j < n; j++) {
      char c = host.charAt(j);
      if (c < '0' || c > '9') {
        return false;
      }
      port = port * 10 + (c - '0');
    }
    return port <= 65535;
  }

  /** @return the host part of a valid Host value, lower-case, without port or brackets. */
  public static String hostOnly(String host) {
    String h;
    if (host.startsWith("[")) {
      h = host.substring(1, host.indexOf(']'));
    } else {
      int colon = host.indexOf(':');
      h = colon < 0 ? host : host.substring(0, colon);
    }
    return h.toLowerCase(Locale.ROOT);
  }

  private static boolean isAlnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }
}
