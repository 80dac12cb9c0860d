package io.salve.proxy.util;

/**
 * Writes a JSON string literal by hand, for the few small documents built on hot or early paths
 * (error bodies, access-log lines, probe answers) where loading a JSON library is not worth it.
 */
public final class JsonText {
  private JsonText() {}

  /** Appends {@code value} as a quoted JSON string: quotes, backslashes and control characters escaped. */
  public static StringBuilder appendString(StringBuilder sb, String value) {
    sb.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append('"');
  }
}
