package io.salve.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Parses {@code host:port}, {@code [v6]:port}, IP literals and CIDR blocks without ever resolving a
 * name: a host is checked for syntax only.
 */
final class Addresses {
  private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?");
  private static final Pattern NUMERIC_LABELS = Pattern.compile("[0-9.]+");
  // No leading zeros: "080" is ambiguous (octal to some readers), so it is refused.
  private static final Pattern PORT = Pattern.compile("0|[1-9]\\d{0,4}");
  private static final Pattern IPV4_PART = Pattern.compile("0|[1-9]\\d{0,2}");
  private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");

  private Addresses() {}

  /** @return the address, or null unless it is {@code host:port} or {@code [v6]:port}, port 0-65535 without leading zeros. */
  static HostPort hostPort(String text) {
    String host;
    String port;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
        return null;
      }
      host = text.substring(1, close);
      port = text.substring(close + 2);
      if (ipv6(host) == null) {
        return null;
      }
    } else {
      int colon = text.lastIndexOf(':');
      if (colon < 0) {
        return null;
      }
      host = text.substring(0, colon);
      port = text.substring(colon + 1);
      if (!isHostName(host)) {
        return null;
      }
    }
    if (!PORT.matcher(port).matches() || Integer.parseInt(port) > 65535) {
      return null;
    }
    return new HostPort(host, Integer.parseInt(port));
  }

  /** @return {@code host:port} with the host in lower case: two addresses with one key are the same. */
  static String key(HostPort address) {
    return address.toString().toLowerCase(Locale.ROOT);
  }

  /** @return the block, or null; a bare address is a block of one (/32 or /128). Host bits are cleared. */
  static Cidr cidr(String text) {
    int slash = text.indexOf('/');
    byte[] address = ipLiteral(slash < 0 ? text : text.substring(0, slash));
    if (address == null) {
      return null;
    }
    int bits = address.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      String length = text.substring(slash + 1);
      if (!length.matches("\\d{1,3}") || Integer.parseInt(length) > bits) {
        return null;
      }
      prefix = Integer.parseInt(length);
    }
    for (int bit = prefix; bit < bits; bit++) {
      address[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
    }
    return new Cidr(address, prefix);
  }

  /** @return the 4 or 16 bytes of an IPv4 or IPv6 literal, or null. */
  private static byte[] ipLiteral(String text) {
    return text.indexOf(':') >= 0 ? ipv6(text) : ipv4(text);
  }

  private static boolean isHostName(String host) {
    if (host.isEmpty() || host.length() > 253) {
      return false;
    }
    if (NUMERIC_LABELS.matcher(host).matches()) {
      return ipv4(host) != null;
    }
    for (String label : host.split("\\.", -1)) {
      if (!LABEL.matcher(label).matches()) {
        return false;
      }
    }
    return true;
  }

  private static byte[] ipv4(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] bytes = new byte[4];
    for (int i = 0; i < 4; i++) {
      if (!IPV4_PART.matcher(parts[i]).matches() || Integer.parseInt(parts[i]) > 255) {
        return null;
      }
      bytes[i] = (byte) Integer.parseInt(parts[i]);
    }
    return bytes;
  }

  private static byte[] ipv6(String text) {
    // Only a text of hex digits, colons and dots reaches InetAddress, which parses such a literal
    // itself and never turns it into a DNS lookup.
    if (text.indexOf(':') < 0 || !IPV6_CHARS.matcher(text).matches()) {
      return null;
    }
    try {
      return InetAddress.getByName(text).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
