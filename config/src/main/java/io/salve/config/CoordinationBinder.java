package io.salve.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.nodes.Node;

/** Binds {@code coordination}: identity, the etcd cluster, leader election and self-registration. */
final class CoordinationBinder {
  static final List<String> KEYS = List.of("identity", "etcd", "leaderElection", "registration");
  static final List<String> ETCD_KEYS = List.of("endpoints", "namespace");
  static final List<String> ELECTION_KEYS = List.of("election", "ttl", "whenHealthy", "webhook");
  static final List<String> REGISTRATION_KEYS = List.of("service", "address", "ttl", "whenHealthy");
  /** etcd lease TTLs are whole seconds. */
  private static final Duration MIN_TTL = Duration.ofSeconds(1);
  private static final Duration DEFAULT_TTL = Duration.ofSeconds(10);
  private static final String ETCD_URL = "an etcd URL like http://127.0.0.1:2379";

  private final Nodes nodes;
  private final UpstreamReferences upstreams;

  CoordinationBinder(Nodes nodes, UpstreamReferences upstreams) {
    this.nodes = nodes;
    this.upstreams = upstreams;
  }

  /** @return the coordination settings, or null when the section is absent. */
  CoordinationConfig bind(Section c) {
    if (c == null) {
      return null;
    }
    String identity = c.requiredString("identity", "this instance's identity, e.g. ${POD_NAME}");
    Section etcd = c.section("etcd", "a map of endpoints, namespace", ETCD_KEYS);
    if (etcd == null) {
      c.missing("etcd", "a map of endpoints, namespace");
    }
    return new CoordinationConfig(identity, etcd(etcd),
        leaderElection(c.section("leaderElection", "a map of election, ttl, whenHealthy, webhook", ELECTION_KEYS)),
        registration(
            c.section("registration", "a map of service, address, ttl, whenHealthy", REGISTRATION_KEYS)));
  }

  private CoordinationConfig.EtcdConfig etcd(Section e) {
    if (e == null) {
      return null;
    }
    List<String> endpoints = new ArrayList<>();
    List<Node> items = e.nonEmptyList("endpoints", "a non-empty list of etcd URLs like http://127.0.0.1:2379");
    for (int i = 0; i < items.size(); i++) {
      String url = nodes.text(items.get(i), e.path("endpoints") + "[" + i + "]", ETCD_URL, this::isEtcdUrl);
      if (url != null) {
        endpoints.add(url);
      }
    }
    String namespace = e.value("namespace", "/salve",
        (n, p) -> nodes.text(n, p, "a key prefix starting with /", t -> t.startsWith("/")));
    return new CoordinationConfig.EtcdConfig(endpoints, namespace);
  }

  private boolean isEtcdUrl(String text) {
    try {
      URI uri = new URI(text);
      return ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
          && uri.getHost() != null;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private CoordinationConfig.LeaderElectionConfig leaderElection(Section le) {
    if (le == null) {
      return null;
    }
    return new CoordinationConfig.LeaderElectionConfig(
        le.requiredString("election", "an election name"),
        le.duration("ttl", DEFAULT_TTL, MIN_TTL),
        le.value("whenHealthy", null, upstreams::check),
        le.value("webhook", null,
            (n, p) -> nodes.parse(n, p, "an http:// URL like http://127.0.0.1:8080/leader-changed", this::httpUrl)));
  }

  private URI httpUrl(String text) {
    try {
      URI uri = new URI(text.trim());
      return "http".equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null ? uri : null;
    } catch (URISyntaxException e) {
      return null;
    }
  }

  private CoordinationConfig.RegistrationConfig registration(Section r) {
    if (r == null) {
      return null;
    }
    return new CoordinationConfig.RegistrationConfig(
        r.requiredString("service", "a service name"),
        r.required("address", "host:port to register", nodes::remoteAddress),
        r.duration("ttl", DEFAULT_TTL, MIN_TTL),
        r.value("whenHealthy", null, upstreams::check));
  }
}
