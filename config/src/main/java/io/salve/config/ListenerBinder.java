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
  private static final String H2 = "h2";

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
    boolean hasTls = l.has("tls");
    ListenerProtocols protocols = protocols(l, hasTls);
    ListenerTlsConfig listenerTls = tls.listener(l, protocols);
    if (listenerTls != null && !listenerTls.alpn().contains(TlsBinder.H2)) {
      // ALPN is how a TLS client learns of h2: without it offered, HTTP/2 is not served there.
      protocols = new ListenerProtocols(protocols.http1(), false, protocols.maxConcurrentStreams());
    }
    // A tls section already reported as unusable does not make every clientUri match an error too.
    boolean clientCertificates = listenerTls == null ? hasTls : listenerTls.clientCa() != null;
    return new ListenerConfig(
        name, address, routes.bindAll(l, clientCertificates), limits, trustedProxies(l), listenerTls,
        protocols);
  }

  private void unique(Map<String, Integer> seen, String value, int index, Section l, String key, String noun) {
    Integer first = seen.putIfAbsent(value, index);
    if (first != null) {
      nodes.invalid(l.get(key), l.path(key), noun + " not used by listeners[" + first + "]");
    }
  }

  /**
   * {@code protocols} (default both: {@code [http1, h2c]}, or {@code [http1, h2]} on a TLS listener,
   * where HTTP/2 is negotiated by ALPN) and {@code maxConcurrentStreams}.
   */
  private ListenerProtocols protocols(Section l, boolean tls) {
    int maxStreams = l.integer("maxConcurrentStreams", 100, 1, Integer.MAX_VALUE);
    String http2Name = tls ? H2 : H2C;
    String expected = "http1 or " + http2Name;
    List<Node> items = l.list("protocols", "a list like [http1, " + http2Name + "]");
    if (items == null) {
      return new ListenerProtocols(true, true, maxStreams);
    }
    boolean http1 = false;
    boolean http2 = false;
    for (int i = 0; i < items.size(); i++) {
      String path = l.path("protocols") + "[" + i + "]";
      String p = nodes.text(items.get(i), path, expected);
      if (p == null) {
        continue;
      }
      String name = p.trim();
      if (name.equals(HTTP1)) {
        http1 = true;
      } else if (name.equals(http2Name)) {
        http2 = true;
      } else if (name.equals(H2C)) {
        nodes.report(items.get(i), path + ": h2c is cleartext HTTP/2 and this listener has tls; there HTTP/2 is h2,"
            + " negotiated by ALPN (expected: " + expected + ")");
      } else if (name.equals(H2)) {
        nodes.report(items.get(i), path + ": h2 is HTTP/2 over TLS and this listener has no tls; cleartext HTTP/2"
            + " is h2c (expected: " + expected + ")");
      } else {
        nodes.invalid(items.get(i), path, expected);
      }
    }
    if (items.isEmpty()) {
      nodes.invalid(l.get("protocols"), l.path("protocols"), "a non-empty list like [http1, " + http2Name + "]");
    }
    return new ListenerProtocols(http1 || items.isEmpty(), http2, maxStreams);
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
