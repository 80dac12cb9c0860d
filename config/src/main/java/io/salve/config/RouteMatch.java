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
 */
public record RouteMatch(String host, String pathPrefix, Set<String> methods, Map<String, String> headers) {
  public RouteMatch {
    methods = Set.copyOf(methods);
    headers = Map.copyOf(headers);
  }
}
