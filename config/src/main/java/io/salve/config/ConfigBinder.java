package io.salve.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;

/** Binds the root of the document into a {@link SalveConfig}, delegating each section. */
final class ConfigBinder {
  static final List<String> KEYS =
      List.of("admin", "listeners", "upstreams", "loadShedding", "coordination", "accessLog", "drainTimeout",
          "reload");
  static final List<String> ADMIN_KEYS = List.of("address", "readyWhenHealthy", "allowNonLoopback", "probes");
  static final List<String> PROBES_KEYS = List.of("address");
  static final HostPort DEFAULT_ADMIN_ADDRESS = new HostPort("127.0.0.1", 9901);

  private final Nodes nodes;

  ConfigBinder(Nodes nodes) {
    this.nodes = nodes;
  }

  /** @return the configuration; meaningful only when no problem was reported. */
  SalveConfig bind(Node root) {
    Section s = nodes.section(root, "", "a map with listeners and upstreams at the top level", KEYS);
    // Upstreams first: every other section refers to them by name.
    Map<String, UpstreamConfig> upstreams = new UpstreamBinder(nodes, s.has("coordination")).bindAll(s);
    UpstreamReferences references = new UpstreamReferences(nodes, upstreams.keySet());
    List<ListenerConfig> listeners = new ListenerBinder(nodes, references).bindAll(s);
    Section accessLog = s.section("accessLog", "a map like {enabled: true}", List.of("enabled"));
    Section reload = s.section("reload", "a map like {watch: true}", List.of("watch"));
    return new SalveConfig(
        admin(s.section("admin", "a map of address, readyWhenHealthy, allowNonLoopback, probes", ADMIN_KEYS),
            references, listeners),
        listeners,
        upstreams,
        LoadSheddingBinder.bind(
            s.section("loadShedding", "a map of load shedding settings", LoadSheddingBinder.KEYS)),
        new CoordinationBinder(nodes, references)
            .bind(s.section("coordination", "a map of coordination settings", CoordinationBinder.KEYS)),
        new AccessLogConfig(accessLog == null || accessLog.bool("enabled", true)),
        s.duration("drainTimeout", Duration.ofSeconds(15), Nodes.ANY),
        reload == null ? ReloadConfig.DEFAULT : new ReloadConfig(reload.bool("watch", true)));
  }

  private AdminConfig admin(Section a, UpstreamReferences references, List<ListenerConfig> listeners) {
    if (a == null) {
      return new AdminConfig(DEFAULT_ADMIN_ADDRESS, List.of(), false);
    }
    HostPort address = a.hostPort("address", DEFAULT_ADMIN_ADDRESS);
    boolean allowNonLoopback = a.bool("allowNonLoopback", false);
    if (a.has("address") && !address.isLoopback() && !allowNonLoopback) {
      nodes.invalid(a.get("address"), a.path("address"), "a loopback address like 127.0.0.1:9901;"
          + " to expose the admin server beyond this host, set admin.allowNonLoopback: true");
    }
    for (ListenerConfig listener : listeners) {
      if (a.has("address") && address.port() != 0 && listener.address() != null
          && Addresses.key(address).equals(Addresses.key(listener.address()))) {
        nodes.invalid(a.get("address"), a.path("address"),
            "an address not used by listener " + listener.name());
      }
    }
    List<String> ready = new ArrayList<>();
    List<Node> items = a.list("readyWhenHealthy", "a list of upstream names");
    for (int i = 0; items != null && i < items.size(); i++) {
      String name = references.check(items.get(i), a.path("readyWhenHealthy") + "[" + i + "]");
      if (name != null) {
        ready.add(name);
      }
    }
    return new AdminConfig(address, ready, allowNonLoopback, probes(a, address, listeners));
  }

  /** The probe port is meant for other hosts (kubelet, Prometheus), so any address is allowed. */
  private AdminConfig.ProbesConfig probes(Section a, HostPort adminAddress, List<ListenerConfig> listeners) {
    Section p = a.section("probes", "a map like {address: 0.0.0.0:15021}", PROBES_KEYS);
    if (p == null) {
      return null;
    }
    HostPort address = p.required("address", "host:port for GET /live, /ready and /metrics", nodes::hostPort);
    if (address == null) {
      return null;
    }
    if (address.port() != 0) {
      String key = Addresses.key(address);
      if (key.equals(Addresses.key(adminAddress))) {
        nodes.invalid(p.get("address"), p.path("address"), "an address other than admin.address");
      }
      for (ListenerConfig listener : listeners) {
        if (listener.address() != null && key.equals(Addresses.key(listener.address()))) {
          nodes.invalid(p.get("address"), p.path("address"), "an address not used by listener " + listener.name());
        }
      }
    }
    return new AdminConfig.ProbesConfig(address);
  }
}
