package io.salve.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;

/** Binds the {@code listeners} list: names and addresses (each unique), limits, trusted proxies, routes. */
final class ListenerBinder {
  static final List<String> KEYS = List.of("name", "address", "routes", "maxInitialLineLength", "maxHeaderSize",
      "maxHeaderCount", "maxRequestBody", "requestHeaderTimeout", "idleTimeout", "trustedProxies", "tls",
      "protocols", "maxConcurrentStreams");
  private static final String HTTP1 = "http1";
  private static final String H2C = "h2c";

  private final Nodes nodes;
  private final RouteBinder routes;
  private final TlsBinder tls;
  /** Listener index by name, and by bound address of a fixed port, to report duplicates. */
  private final Map<String, Integer> names = new HashMap<>();
  private final Map<String, Integer> addresses = new HashMap<>();

  ListenerBinder(Nodes nodes, UpstreamReferences upstreams) {
    this.nodes = nodes;
    this.routes = new RouteBinder(nodes, upstreams);
    this.tls = new TlsBinder(nodes);
  }

  /** @return the listeners in file order; a missing or empty list is reported. */
  List<ListenerConfig> bindAll(Section root) {
    List<ListenerConfig> listeners = new ArrayList<>();
    List<Node> items =
        root.nonEmptyList("listeners", "a non-empty list of listeners with name, address, routes");
    for (int i = 0; i < items.size(); i++) {
      listeners.add(bind(items.get(i), "listeners[" + i + "]", i));
    }
    return listeners;
  }

  private ListenerConfig bind(Node node, String path, int index) {
    Section l = nodes.section(node, path, "a map with name, address and routes", KEYS);
    String name = l.requiredString("name", "a unique listener name");
    if (name != null) {
      unique(names, name, index, l, "name", "a name");
    }
    HostPort address = l.required("address", "host:port to listen on", nodes::hostPort);
    if (address != null && address.port() != 0) {
      unique(addresses, Addresses.key(address), index, l, "address", "an address");
    }
    ListenerLimits limits = new ListenerLimits(
        (int) l.size("maxInitialLineLength", 8 * 1024, 1, Integer.MAX_VALUE),
        (int) l.size("maxHeaderSize", 32 * 1024, 1, Integer.MAX_VALUE),
        l.integer("maxHeaderCount", 100, 1, Integer.MAX_VALUE),
        l.size("maxRequestBody", -1, 0, Long.MAX_VALUE),
        l.duration("requestHeaderTimeout", Duration.ofSeconds(10), Nodes.POSITIVE),
        l.duration("idleTimeout", Duration.ofSeconds(60), Nodes.POSITIVE));
    ListenerTlsConfig listenerTls = tls.listener(l);
    // A tls section already reported as unusable does not make every clientUri match an error too.
    boolean clientCertificates = listenerTls == null ? l.has("tls") : listenerTls.clientCa() != null;
    return new ListenerConfig(
        name, address, routes.bindAll(l, clientCertificates), limits, trustedProxies(l), listenerTls,
        protocols(l, l.has("tls")));
  }

  private void unique(Map<String, Integer> seen, String value, int index, Section l, String key, String noun) {
    Integer first = seen.putIfAbsent(value, index);
    if (first != null) {
      nodes.invalid(l.get(key), l.path(key), noun + " not used by listeners[" + first + "]");
    }
  }

  /**
   * {@code protocols} (default both; HTTP/1.1 alone on a TLS listener, where h2 would need ALPN) and
   * {@code maxConcurrentStreams}.
   */
  private ListenerProtocols protocols(Section l, boolean tls) {
    int maxStreams = l.integer("maxConcurrentStreams", 100, 1, Integer.MAX_VALUE);
    List<Node> items = l.list("protocols", "a list like [http1, h2c]");
    if (items == null) {
      return new ListenerProtocols(true, !tls, maxStreams);
    }
    boolean http1 = false;
    boolean h2c = false;
    for (int i = 0; i < items.size(); i++) {
      String path = l.path("protocols") + "[" + i + "]";
      String p = nodes.text(items.get(i), path, "http1 or h2c");
      if (p == null) {
        continue;
      }
      switch (p.trim()) {
        case HTTP1 -> http1 = true;
        case H2C -> {
          if (tls) {
            nodes.report(items.get(i), path + ": h2c is cleartext HTTP/2 and this listener has tls; h2 over TLS"
                + " (ALPN) is not supported yet (expected: http1)");
          }
          h2c = true;
        }
        default -> nodes.invalid(items.get(i), path, "http1 or h2c");
      }
    }
    if (items.isEmpty()) {
      nodes.invalid(l.get("protocols"), l.path("protocols"), "a non-empty list like [http1, h2c]");
    }
    return new ListenerProtocols(http1 || items.isEmpty(), h2c && !tls, maxStreams);
  }

  private List<Cidr> trustedProxies(Section l) {
    List<Cidr> cidrs = new ArrayList<>();
    List<Node> items = l.list("trustedProxies", "a list of CIDRs like 10.0.0.0/8");
    for (int i = 0; items != null && i < items.size(); i++) {
      String path = l.path("trustedProxies") + "[" + i + "]";
      Cidr cidr = nodes.parse(items.get(i), path, "a CIDR like 10.0.0.0/8 or fd00::/8, or an IP address",
          Addresses::cidr);
      if (cidr != null) {
        cidrs.add(cidr);
      }
    }
    return cidrs;
  }
}
