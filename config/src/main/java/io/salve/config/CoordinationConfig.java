package io.salve.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * Coordination through etcd.
 *
 * @param identity this instance's identity (e.g. the pod name)
 * @param etcd the etcd cluster
 * @param leaderElection leader election, or null
 * @param registration self-registration, or null
 */
public record CoordinationConfig(
    String identity, EtcdConfig etcd, LeaderElectionConfig leaderElection, RegistrationConfig registration) {

  /**
   * @param endpoints etcd client URLs
   * @param namespace key prefix (default /salve)
   */
  public record EtcdConfig(List<String> endpoints, String namespace) {
    public EtcdConfig {
      endpoints = List.copyOf(endpoints);
    }
  }

  /**
   * @param election election name
   * @param ttl leadership lease TTL (default 10s)
   * @param whenHealthy campaign only while this upstream is healthy, or null
   * @param webhook URL POSTed with the leader JSON on every change (http only), or null
   */
  public record LeaderElectionConfig(String election, Duration ttl, String whenHealthy, URI webhook) {}

  /**
   * @param service service name to register under
   * @param address address to register
   * @param ttl lease TTL (default 10s)
   * @param whenHealthy keep the lease alive only while this upstream is healthy, or null
   */
  public record RegistrationConfig(String service, HostPort address, Duration ttl, String whenHealthy) {}
}
