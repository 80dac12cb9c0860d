package io.salve.config;

import java.util.Map;
import java.util.Set;

/**
 * What a route matches. Every given part must match.
 *
 * @param host exact host (case-insensitive, port ignored), or null for any
 * @param pathPrefix a plain string prefix of the normalized path (default "/")
 * @param methods upper-case methods, empty for any
 * @param headers header name (lower-case) to exact value
 * @param clientUri a URI SAN the verified client certificate must carry (mTLS), or null
 * @param clientDns a DNS SAN the verified client certificate must carry (mTLS), or null
 */
public record RouteMatch(
    String host, String pathPrefix, Set<String> methods, Map<String, String> headers, String clientUri,
    String clientDns) {
  public RouteMatch {
    methods = Set.copyOf(methods);
    headers = Map.copyOf(headers);
  }

  /** A match that does not look at the client's certificate. */
  public RouteMatch(String host, String pathPrefix, Set<String> methods, Map<String, String> headers) {
    this(host, pathPrefix, methods, headers, null, null);
  }
}
