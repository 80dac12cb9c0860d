package io.salve.proxy.health;

import io.salve.config.HostPort;
import io.salve.config.Values;
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
  /** A lease is a heartbeat contract, not a registration for life: renew at least daily. */
  public static final Duration MAX_TTL = Duration.ofHours(24);

  private static final Pattern PATH = Pattern.compile("/admin/upstreams/([^/]+)/endpoints/([^/]+)");

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
    HostPort hp = Values.hostPort(text);
    return hp == null || hp.port() == 0 ? null : hp;
  }

  /**
   * @return the TTL, or null unless {@code text} is a positive duration of at most 24h: {@code
   *     500ms}, {@code 5s}, {@code 1m}, {@code 1h}
   */
  public static Duration ttl(String text) {
    Duration d = Values.duration(text);
    return d == null || d.isZero() || d.compareTo(MAX_TTL) > 0 ? null : d;
  }

}
