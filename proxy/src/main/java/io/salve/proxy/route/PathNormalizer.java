package io.salve.proxy.route;

/**
 * Turns a request path into the one canonical form salve uses for both route matching and
 * forwarding, so the proxy and the upstream never disagree about which resource is asked for.
 *
 * <p>Percent-encoded dots are decoded, dot segments are removed (RFC 3986 §5.2.4), and everything
 * that cannot be canonicalised safely is refused: a path escaping the root, encoded slashes or
 * backslashes, backslashes, NUL and control characters, {@code #}, and malformed escapes. Other
 * escapes stay as they are. Matching is case-sensitive.
 */
public final class PathNormalizer {
  private PathNormalizer() {}

  /** Thrown for a path salve refuses; the message is safe to show to the client. */
  public static final class InvalidPathException extends Exception {
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
    String decoded = decodeDotsAndCheck(path);
    if (decoded.indexOf("/.") < 0) {
      return decoded;
    }
    return removeDotSegments(decoded);
  }

  private static String decodeDotsAndCheck(String path) throws InvalidPathException {
    StringBuilder out = null;
    int n = path.length();
    for (int i = 0; i < n; i++) {
      char c = path.charAt(i);
      if (c < 0x21 || c == 0x7f || c == '\\' || c == '#') {
        throw new InvalidPathException("path contains a forbidden character");
      }
      if (c == '%') {
        if (i + 2 >= n || hex(path.charAt(i + 1)) < 0 || hex(path.charAt(i + 2)) < 0) {
          throw new InvalidPathException("path contains a malformed percent-escape");
        }
        int v = hex(path.charAt(i + 1)) * 16 + hex(path.charAt(i + 2));
        if (v == '/' || v == '\\' || v < 0x20 || v == 0x7f) {
          throw new InvalidPathException("path contains an encoded slash, backslash or control character");
        }
        if (v == '.') {
          if (out == null) {
            out = new StringBuilder(n).append(path, 0, i);
          }
          out.append('.');
          i += 2;
          continue;
        }
      }
      if (out != null) {
        out.append(c);
      }
    }
    return out == null ? path : out.toString();
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

  private static String removeDotSegments(String path) throws InvalidPathException {
    String[] segments = path.substring(1).split("/", -1);
    String[] stack = new String[segments.length];
    int depth = 0;
    for (int i = 0; i < segments.length; i++) {
      String s = segments[i];
      boolean lastSegment = i == segments.length - 1;
      if (s.equals(".")) {
        if (lastSegment) {
          stack[depth++] = "";
        }
      } else if (s.equals("..")) {
        if (depth == 0) {
          throw new InvalidPathException("path escapes the root");
        }
        depth--;
        if (lastSegment) {
          stack[depth++] = "";
        }
      } else {
        stack[depth++] = s;
      }
    }
    StringBuilder sb = new StringBuilder(path.length());
    for (int i = 0; i < depth; i++) {
      sb.append('/').append(stack[i]);
    }
    return sb.length() == 0 ? "/" : sb.toString();
  }
}
