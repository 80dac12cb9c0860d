package io.salve.proxy.health;

import io.salve.config.HostPort;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the pieces of a lease admin call: {@code /admin/upstreams/{upstream}/endpoints/{host:port}}
 * and its optional {@code ttl} parameter. Syntax only: a host name is never resolved here.
 */
public final class LeaseRequest {

  /** The path prefix of every lease route. */
  public static final String PREFIX = "/admin/upstreams/";

  private static final Pattern PATH = Pattern.compile("/admin/upstreams/([^/]+)/endpoints/([^/]+)");
  private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?");
  private static final Pattern IPV4 =
      Pattern.compile("(0|[1-9]\\d{0,2})\\.(0|[1-9]\\d{0,2})\\.(0|[1-9]\\d{0,2})\\.(0|[1-9]\\d{0,2})");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
  private static final Pattern PORT = Pattern.compile("[1-9]\\d{0,4}");
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

  /** The upstream and raw endpoint text named by a lease path. */
  public record Target(String upstream, String endpoint) {}

  private LeaseRequest() {}

  /** @return the target of {@code path}, or null when it is not a lease path. */
  public static Target target(String path) {
    Matcher m = PATH.matcher(path);
    return m.matches() ? new Target(m.group(1), m.group(2)) : null;
  }

  /**
   * @return the endpoint, or null unless {@code text} is {@code host:port} or {@code [v6]:port}
   *     with a port in 1..65535 and a syntactically valid host name, IPv4 or IPv6 literal
   */
  public static HostPort endpoint(String text) {
    String host;
    String port;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
        return null;
      }
      host = text.substring(1, close);
      port = text.substring(close + 2);
      if (!IPV6.matcher(host).matches() || host.indexOf(':') < 0) {
        return null;
      }
    } else {
      int colon = text.lastIndexOf(':');
      if (colon <= 0) {
        return null;
      }
      host = text.substring(0, colon);
      port = text.substring(colon + 1);
      if (!validHostName(host)) {
        return null;
      }
    }
    if (!PORT.matcher(port).matches() || Integer.parseInt(port) > 65535) {
      return null;
    }
    return new HostPort(host, Integer.parseInt(port));
  }

  private static boolean validHostName(String host) {
    if (host.length() > 253) {
      return false;
    }
    if (host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'))) {
      Matcher m = IPV4.matcher(host);
      if (!m.matches()) {
        return false;
      }
      for (int i = 1; i <= 4; i++) {
        if (Integer.parseInt(m.group(i)) > 255) {
          return false;
        }
      }
      return true;
    }
    for (String label : host.split("\\.", -1)) {
      if (!LABEL.matcher(label).matches()) {
        return false;
      }
    }
    return true;
  }

  /**
   * @return the TTL, or null unless {@code text} is a positive whole number with a unit: {@code
   *     500ms}, {@code 5s}, {@code 1m}, {@code 1h}
   */
  public static Duration ttl(String text) {
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      return null;
    }
    long amount = Long.parseLong(m.group(1));
    if (amount == 0) {
      return null;
    }
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      default -> Duration.ofHours(amount);
    };
  }
}
