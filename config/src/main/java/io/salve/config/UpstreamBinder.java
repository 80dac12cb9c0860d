package io.salve.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/** Binds the {@code upstreams} map: endpoints, connection limits, and where endpoints come from. */
final class UpstreamBinder {
  static final List<String> KEYS = List.of("endpoints", "loadBalancer", "connectTimeout", "idleTimeout",
      "maxConnectionsPerEndpoint", "maxConcurrentRequests", "circuitBreaker", "outlierDetection", "healthCheck",
      "retry", "retryBudget", "discovery", "leases", "recovery", "tls", "protocol");
  static final RetryBudgetConfig DEFAULT_RETRY_BUDGET = new RetryBudgetConfig(0.2, 10);

  private static final Map<String, LoadBalancerType> LOAD_BALANCERS =
      Nodes.choices(LoadBalancerType.values(), LoadBalancerType::key);
  private static final Map<String, UpstreamProtocol> PROTOCOLS =
      Nodes.choices(UpstreamProtocol.values(), UpstreamProtocol::key);
  private static final String ENDPOINT = "host:port with a port from 1 to 65535, or {address, weight}";

  private final Nodes nodes;
  private final RetryBinder retries;
  private final EndpointHealthBinder health;
  private final TlsBinder tls;
  /** Whether the file has a {@code coordination} section, whose etcd discovery reads. */
  private final boolean etcdConfigured;

  UpstreamBinder(Nodes nodes, boolean etcdConfigured) {
    this.nodes = nodes;
    this.etcdConfigured = etcdConfigured;
    this.retries = new RetryBinder(nodes);
    this.health = new EndpointHealthBinder(nodes, retries);
    this.tls = new TlsBinder(nodes);
  }

  /** @return every upstream by name, in file order; a missing {@code upstreams} section is reported. */
  Map<String, UpstreamConfig> bindAll(Section root) {
    Map<String, UpstreamConfig> upstreams = new LinkedHashMap<>();
    Section section = root.section("upstreams", "a map from upstream name to its settings", null);
    if (section == null) {
      root.missing("upstreams", "a map from upstream name to its settings");
      return upstreams;
    }
    for (NodeTuple entry : section.entries()) {
      String name = ((ScalarNode) entry.getKeyNode()).getValue();
      upstreams.put(name, bind(name, entry.getKeyNode(), entry.getValueNode()));
    }
    if (upstreams.isEmpty() && section.node() != null) {
      nodes.invalid(section.node(), "upstreams", "at least one upstream");
    }
    return upstreams;
  }

  private UpstreamConfig bind(String name, Node nameNode, Node value) {
    String path = "upstreams." + name;
    Section s = Nodes.isNull(value)
        ? new Section(nodes, null, path, KEYS)
        : nodes.section(value, path, "a map of upstream settings", KEYS);
    List<EndpointConfig> endpoints = endpoints(s);
    DiscoveryConfig discovery = discovery(s);
    LeasesConfig leases = leases(s);
    // Judged on what is written: endpoints that are all invalid are reported one by one instead.
    boolean endpointsWritten = s.has("endpoints") && !Nodes.isEmptyCollection(s.get("endpoints"));
    if (!endpointsWritten && !s.has("discovery") && !s.has("leases")) {
      nodes.report(nameNode, path + ": no endpoints (expected: endpoints, discovery or leases)");
    }
    Section retry = s.section("retry", "a map of retry settings", RetryBinder.KEYS);
    HealthCheckConfig healthCheck = health.healthCheck(s.section("healthCheck", "a map of health check settings",
        EndpointHealthBinder.HEALTH_CHECK_KEYS));
    UpstreamTlsConfig upstreamTls = tls.upstream(s);
    if (upstreamTls != null && healthCheck != null && healthCheck.type() != null
        && healthCheck.type() != HealthCheckConfig.ProbeType.TCP) {
      nodes.report(s.get("healthCheck"), s.path("healthCheck") + ": "
          + healthCheck.type().name().toLowerCase(java.util.Locale.ROOT) + " probes over TLS are not supported yet"
          + " (expected: type: tcp on an upstream with tls)");
    }
    UpstreamProtocol protocol = s.choice("protocol", UpstreamProtocol.HTTP1, PROTOCOLS);
    if (protocol == UpstreamProtocol.H2C && s.has("tls")) {
      nodes.report(s.get("protocol"), s.path("protocol") + ": h2c is cleartext HTTP/2 and this upstream has tls;"
          + " over TLS, HTTP/2 is h2 (expected: http1 or h2)");
    } else if (protocol == UpstreamProtocol.H2 && !s.has("tls")) {
      nodes.report(s.get("protocol"), s.path("protocol") + ": h2 is HTTP/2 over TLS and this upstream has no tls;"
          + " cleartext HTTP/2 is h2c (expected: http1 or h2c)");
    }
    if (upstreamTls != null && protocol == UpstreamProtocol.H2) {
      upstreamTls = new UpstreamTlsConfig(upstreamTls.ca(), upstreamTls.sni(), upstreamTls.cert(), upstreamTls.key(),
          upstreamTls.verify(), "h2");
    }
    return new UpstreamConfig(
        name,
        endpoints,
        s.choice("loadBalancer", LoadBalancerType.ROUND_ROBIN, LOAD_BALANCERS),
        s.duration("connectTimeout", Duration.ofSeconds(1), Nodes.POSITIVE),
        s.duration("idleTimeout", Duration.ofSeconds(60), Nodes.POSITIVE),
        s.integer("maxConnectionsPerEndpoint", 64, 1, Integer.MAX_VALUE),
        s.integer("maxConcurrentRequests", 1024, 1, Integer.MAX_VALUE),
        health.circuitBreaker(s.section("circuitBreaker", "a map of circuit breaker settings",
            EndpointHealthBinder.CIRCUIT_BREAKER_KEYS)),
        health.outlierDetection(s.section("outlierDetection", "a map of outlier detection settings",
            EndpointHealthBinder.OUTLIER_KEYS)),
        healthCheck,
        retry == null ? RetryBinder.DEFAULT : retries.bind(retry),
        retryBudget(s.section("retryBudget", "a map of ratio, minPerSecond", List.of("ratio", "minPerSecond"))),
        discovery,
        leases,
        recovery(s.section("recovery", "a map of after, webhook", List.of("after", "webhook"))),
        upstreamTls,
        protocol);
  }

  private List<EndpointConfig> endpoints(Section s) {
    List<Node> items = s.list("endpoints", "a list of " + ENDPOINT);
    List<EndpointConfig> endpoints = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; items != null && i < items.size(); i++) {
      String path = s.path("endpoints") + "[" + i + "]";
      Node item = items.get(i);
      EndpointConfig endpoint = endpoint(item, path);
      if (endpoint == null) {
        continue;
      }
      Integer first = seen.putIfAbsent(Addresses.key(endpoint.address()), i);
      if (first != null) {
        nodes.invalid(item, path, "an endpoint not already listed at endpoints[" + first + "]");
      }
      endpoints.add(endpoint);
    }
    return endpoints;
  }

  private EndpointConfig endpoint(Node item, String path) {
    if (item instanceof MappingNode) {
      Section e = nodes.section(item, path, ENDPOINT, List.of("address", "weight"));
      HostPort address = e.required("address", "host:port", nodes::remoteAddress);
      int weight = e.integer("weight", 1, 1, Integer.MAX_VALUE);
      return address == null ? null : new EndpointConfig(address, weight);
    }
    if (item instanceof ScalarNode) {
      HostPort address = nodes.remoteAddress(item, path);
      return address == null ? null : new EndpointConfig(address, 1);
    }
    nodes.invalid(item, path, ENDPOINT);
    return null;
  }

  private DiscoveryConfig discovery(Section s) {
    Section d = s.section("discovery", "a map like {etcd: <service name>}", List.of("etcd"));
    if (d == null) {
      return null;
    }
    String service = d.requiredString("etcd", "the name of a service registered in etcd");
    if (service != null && !etcdConfigured) {
      nodes.invalid(d.get("etcd"), d.path("etcd"), "a service name, with a coordination section"
          + " giving the etcd endpoints to discover it from");
    }
    return service == null ? null : new DiscoveryConfig(service);
  }

  private static LeasesConfig leases(Section s) {
    Section l = s.section("leases", "a map like {ttl: 10s}", List.of("ttl"));
    return l == null ? null : new LeasesConfig(l.duration("ttl", Duration.ofSeconds(10), Nodes.POSITIVE));
  }

  private RetryBudgetConfig retryBudget(Section b) {
    if (b == null) {
      return DEFAULT_RETRY_BUDGET;
    }
    return new RetryBudgetConfig(
        b.fraction("ratio", DEFAULT_RETRY_BUDGET.ratio()),
        b.integer("minPerSecond", DEFAULT_RETRY_BUDGET.minPerSecond(), 0, Integer.MAX_VALUE));
  }

  private RecoveryConfig recovery(Section r) {
    if (r == null) {
      return null;
    }
    Duration after =
        r.required("after", "a positive duration like 30s, 1m", (n, p) -> nodes.duration(n, p, Nodes.POSITIVE));
    URI webhook = r.required("webhook", "an http:// URL", this::httpUrl);
    return new RecoveryConfig(after, webhook);
  }

  private URI httpUrl(Node node, String path) {
    String expected = "an http:// URL like http://127.0.0.1:8080/recover";
    String text = nodes.text(node, path, expected);
    if (text == null) {
      return null;
    }
    try {
      URI uri = new URI(text.trim());
      if ("http".equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null) {
        return uri;
      }
    } catch (URISyntaxException e) {
      // reported below, like any other URL that is not http://host...
    }
    nodes.invalid(node, path, expected);
    return null;
  }
}
