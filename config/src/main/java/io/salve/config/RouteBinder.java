package io.salve.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/** Binds one route of a listener: what it matches, where it goes, and its request policy. */
final class RouteBinder {
  static final List<String> KEYS =
      List.of("name", "match", "upstream", "criticality", "timeout", "retry", "maxRequestBody", "upgrades",
          "upgradeIdleTimeout");
  static final List<String> MATCH_KEYS = List.of("host", "pathPrefix", "methods", "headers", "clientUri", "clientDns");

  /** An RFC 9110 token: what a method or a header name may be made of. */
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  private static final Map<String, Criticality> CRITICALITIES =
      Nodes.choices(Criticality.values(), Criticality::key);
  private static final RouteMatch MATCH_ALL = new RouteMatch(null, "/", Set.of(), Map.of());

  private final Nodes nodes;
  private final RetryBinder retries;
  private final UpstreamReferences upstreams;

  RouteBinder(Nodes nodes, UpstreamReferences upstreams) {
    this.nodes = nodes;
    this.retries = new RetryBinder(nodes);
    this.upstreams = upstreams;
  }

  /** @return the routes of a listener, in order; a missing or empty list is reported. */
  List<RouteConfig> bindAll(Section listener) {
    return bindAll(listener, false);
  }

  /**
   * @param clientCertificates whether the listener verifies client certificates ({@code tls.clientCa}),
   *     without which {@code match.clientUri} and {@code match.clientDns} could never match
   */
  List<RouteConfig> bindAll(Section listener, boolean clientCertificates) {
    List<RouteConfig> bound = new ArrayList<>();
    List<Node> items = listener.nonEmptyList("routes", "a non-empty list of routes");
    Map<String, Integer> names = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      bound.add(bind(items.get(i), listener.path("routes") + "[" + i + "]", i, names, clientCertificates));
    }
    return bound;
  }

  /**
   * @param index the route's 0-based position, which names it when it has no name
   * @param names the index of each route name seen so far in this listener
   */
  private RouteConfig bind(
      Node node, String path, int index, Map<String, Integer> names, boolean clientCertificates) {
    Section r = nodes.section(node, path, "a map of route settings", KEYS);
    String name =
        r.value("name", "route-" + index, (n, p) -> nodes.text(n, p, "a non-empty name", t -> !t.isEmpty()));
    Integer first = names.putIfAbsent(name, index);
    if (first != null) {
      nodes.report(r.has("name") ? r.get("name") : node, r.path("name") + ": " + name
          + " (expected: a name not used by routes[" + first + "] of the same listener)");
    }
    Section retry = r.section("retry", "a map of retry settings", RetryBinder.KEYS);
    return new RouteConfig(
        name,
        match(r.section("match", "a map of host, pathPrefix, methods, headers", MATCH_KEYS), clientCertificates),
        r.required("upstream", "the name of an upstream", upstreams::check),
        r.choice("criticality", Criticality.NORMAL, CRITICALITIES),
        r.duration("timeout", null, Nodes.POSITIVE),
        retry == null ? null : retries.bind(retry),
        r.size("maxRequestBody", -1, 0, Long.MAX_VALUE),
        upgrades(r),
        r.duration("upgradeIdleTimeout", RouteConfig.DEFAULT_UPGRADE_IDLE_TIMEOUT, Nodes.POSITIVE));
  }

  /** @return the upgrade tokens the route forwards: the default when absent, none for {@code []}. */
  private Set<String> upgrades(Section r) {
    List<Node> items = r.list("upgrades", "a list of upgrade tokens like [websocket]");
    if (items == null) {
      return RouteConfig.DEFAULT_UPGRADES;
    }
    Set<String> tokens = new LinkedHashSet<>();
    for (int i = 0; i < items.size(); i++) {
      String token = nodes.text(items.get(i), r.path("upgrades") + "[" + i + "]", "an upgrade token like websocket",
          t -> TOKEN.matcher(t).matches());
      if (token != null) {
        tokens.add(token.toLowerCase(Locale.ROOT));
      }
    }
    return tokens;
  }

  private RouteMatch match(Section m, boolean clientCertificates) {
    if (m == null) {
      return MATCH_ALL;
    }
    String host = m.value("host", null, (n, p) -> nodes.text(n, p, "a host name", t -> !t.isEmpty()));
    return new RouteMatch(
        host == null ? null : host.toLowerCase(Locale.ROOT),
        m.value("pathPrefix", "/", nodes::path),
        methods(m),
        headers(m),
        clientName(m, "clientUri", "a URI like spiffe://example.org/ns/app/sa/web", clientCertificates),
        clientName(m, "clientDns", "a DNS name like web.example.org", clientCertificates));
  }

  /** @return a name the client certificate must carry; reported unless the listener verifies client certificates. */
  private String clientName(Section m, String key, String expected, boolean clientCertificates) {
    String value = m.value(key, null, (n, p) -> nodes.text(n, p, expected, t -> !t.isBlank()));
    if (value != null && !clientCertificates) {
      nodes.report(m.get(key), m.path(key) + ": needs client certificates (expected: tls.clientCa on this listener)");
      return null;
    }
    return value == null ? null : value.trim();
  }

  private Set<String> methods(Section m) {
    Set<String> methods = new LinkedHashSet<>();
    List<Node> items = m.list("methods", "a list of HTTP methods like [GET, POST]");
    for (int i = 0; items != null && i < items.size(); i++) {
      String method = nodes.text(items.get(i), m.path("methods") + "[" + i + "]", "an HTTP method like GET",
          t -> TOKEN.matcher(t).matches());
      if (method != null) {
        methods.add(method.toUpperCase(Locale.ROOT));
      }
    }
    return methods;
  }

  private Map<String, String> headers(Section m) {
    Map<String, String> headers = new LinkedHashMap<>();
    Section h = m.section("headers", "a map from header name to exact value", null);
    if (h == null) {
      return headers;
    }
    for (NodeTuple entry : h.entries()) {
      Node nameNode = entry.getKeyNode();
      String name = ((ScalarNode) nameNode).getValue();
      String path = h.path(name);
      if (!TOKEN.matcher(name).matches()) {
        nodes.invalid(nameNode, path, "a header name (letters, digits, -)");
        continue;
      }
      String lower = name.toLowerCase(Locale.ROOT);
      if (headers.containsKey(lower)) {
        nodes.invalid(nameNode, path, "a header not already listed (names ignore case)");
        continue;
      }
      Node valueNode = entry.getValueNode();
      if (Nodes.isNull(valueNode)) {
        nodes.invalid(valueNode, path, "the exact header value, a string");
        continue;
      }
      String value = nodes.text(valueNode, path, "the exact header value, a string");
      if (value != null) {
        headers.put(lower, value);
      }
    }
    return headers;
  }
}
