package io.salve.proxy.route;

/**
 * Turns a request path into the one canonical form salve uses for both route matching and
 * forwarding, so the proxy and the upstream never disagree about which resource is asked for
 * (http-safety.md §6; Envoy #20260).
 *
 * <p>The canonical form, in order of the steps that make it:
 *
 * <ol>
 *   <li>Only visible ASCII: control characters, space, DEL, bytes above 0x7F, {@code \} and {@code #}
 *       are refused (CVE-2021-29492, CVE-2021-32779).
 *   <li>Percent-escapes must be well formed. Escapes of unreserved characters ({@code ALPHA DIGIT - .
 *       _ ~}) are decoded, so {@code /%61dmin} is {@code /admin} and {@code %2e} is a dot (RFC 3986
 *       §6.2.2.2); every other escape is kept, with upper-case hex digits (§6.2.2.1). Escapes that
 *       would change the path's structure or smuggle a control character are refused: {@code %2F},
 *       {@code %5C}, {@code %00}-{@code %1F} and {@code %7F}.
 *   <li>Runs of {@code /} are merged into one, so {@code //admin} is {@code /admin}.
 *   <li>Dot segments are removed (RFC 3986 §5.2.4); one that would climb above the root is refused.
 *       A segment that is a dot segment once its {@code ;parameters} are cut off ({@code ..;x}) is
 *       refused: servlet containers read it as {@code ..}.
 * </ol>
 *
 * A trailing slash is kept, path parameters ({@code ;x=1}) are kept, and case is kept: matching is
 * case-sensitive, as RFC 3986 paths are.
 */
public final class PathNormalizer {
  private PathNormalizer() {}

  /** Thrown for a path salve refuses; the message is safe to show to the client. */
  public static final class InvalidPathException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidPathException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * @param path the path part of an origin-form target, starting with '/', without the query
   * @return the normalized path, starting with '/'
   * @throws InvalidPathException if the path cannot be canonicalised safely
   */
  public static String normalize(String path) throws InvalidPathException {
    if (path.isEmpty() || path.charAt(0) != '/') {
      throw new InvalidPathException("path must start with '/'");
    }
    String decoded = decodeAndCheck(path);
    if (decoded.indexOf("//") < 0 && decoded.indexOf("/.") < 0) {
      return decoded; // the common case: nothing to merge or remove
    }
    return removeDotSegments(decoded);
  }

  private static String decodeAndCheck(String path) throws InvalidPathException {
    StringBuilder out = null;
    int n = path.length();
    for (int i = 0; i < n; i++) {
      char c = path.charAt(i);
      if (c < 0x21 || c >= 0x7f || c == '\\' || c == '#') {
        throw new InvalidPathException("path contains a forbidden character");
      }
      if (c != '%') {
        if (out != null) {
          out.append(c);
        }
        continue;
      }
      if (i + 2 >= n || hex(path.charAt(i + 1)) < 0 || hex(path.charAt(i + 2)) < 0) {
        throw new InvalidPathException("path contains a malformed percent-escape");
      }
      int v = hex(path.charAt(i + 1)) * 16 + hex(path.charAt(i + 2));
      if (v == '/' || v == '\\' || v < 0x20 || v == 0x7f) {
        throw new InvalidPathException("path contains an encoded slash, backslash or control character");
      }
      if (out == null) {
        out = new StringBuilder(n).append(path, 0, i);
      }
      if (isUnreserved(v)) {
        out.append((char) v);
      } else {
        out.append('%').append(HEX[v >> 4]).append(HEX[v & 0xF]);
      }
      i += 2;
    }
    return out == null ? path : out.toString();
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private static boolean isUnreserved(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '-' || c == '.' || c == '_' || c == '~';
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  /** Merges empty segments (runs of '/') and removes dot segments. */
  private static String removeDotSegments(String path) throws InvalidPathException {
    String[] segments = path.substring(1).split("/", -1);
    String[] stack = new String[segments.length];
    int depth = 0;
    boolean trailingSlash = false;
    for (int i = 0; i < segments.length; i++) {
      String s = segments[i];
      boolean lastSegment = i == segments.length - 1;
      trailingSlash = false;
      if (s.isEmpty()) {
        trailingSlash = lastSegment && depth > 0; // "//" merges; a final "/" stays
        continue;
      }
      int semi = s.indexOf(';');
      String bare = semi < 0 ? s : s.substring(0, semi);
      if (bare.equals(".") || bare.equals("..")) {
        if (semi >= 0) {
          throw new InvalidPathException("dot segment with a path parameter");
        }
        if (bare.equals("..")) {
          if (depth == 0) {
            throw new InvalidPathException("path escapes the root");
          }
          depth--;
        }
        trailingSlash = lastSegment && depth > 0; // "/a/b/.." is "/a/", "/a/." is "/a/"
        continue;
      }
      stack[depth++] = s;
    }
    StringBuilder sb = new StringBuilder(path.length());
    for (int i = 0; i < depth; i++) {
      sb.append('/').append(stack[i]);
    }
    if (sb.length() == 0 || trailingSlash) {
      sb.append('/');
    }
    return sb.toString();
  }
}
