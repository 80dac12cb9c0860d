package io.salve.config;

import java.time.Duration;
import java.util.List;

/**
 * One upstream cluster.
 *
 * @param name the key under {@code upstreams}
 * @param endpoints static endpoints (may be empty when discovery or leases supply them)
 * @param loadBalancer balancing policy (default round-robin)
 * @param connectTimeout TCP connect timeout (default 1s)
 * @param idleTimeout idle pooled connections are closed after this (default 60s)
 * @param maxConnectionsPerEndpoint most open connections to one endpoint, over all event loops (default 64)
 * @param maxConcurrentRequests bulkhead; beyond it 503 overloaded (default 1024)
 * @param circuitBreaker breaker, or null when not configured
 * @param outlierDetection outlier ejection, or null when not configured
 * @param healthCheck active probes, or null when not configured
 * @param retry the upstream's retry policy (default: 2 attempts on connect-failure and reset)
 * @param retryBudget retry budget (defaults 0.2 and 10)
 * @param discovery etcd discovery, or null
 * @param leases admin-API leases, or null
 * @param recovery recovery actions, or null
 * @param tls TLS origination, or null for plaintext
 * @param protocol what salve speaks to the endpoints (default http1)
 */
public record UpstreamConfig(
    String name,
    List<EndpointConfig> endpoints,
    LoadBalancerType loadBalancer,
    Duration connectTimeout,
    Duration idleTimeout,
    int maxConnectionsPerEndpoint,
    int maxConcurrentRequests,
    CircuitBreakerConfig circuitBreaker,
    OutlierDetectionConfig outlierDetection,
    HealthCheckConfig healthCheck,
    RetryConfig retry,
    RetryBudgetConfig retryBudget,
    DiscoveryConfig discovery,
    LeasesConfig leases,
    RecoveryConfig recovery,
    UpstreamTlsConfig tls,
    UpstreamProtocol protocol) {
  public UpstreamConfig {
    endpoints = List.copyOf(endpoints);
  }

  /** An HTTP/1.1 upstream. */
  public UpstreamConfig(
      String name,
      List<EndpointConfig> endpoints,
      LoadBalancerType loadBalancer,
      Duration connectTimeout,
      Duration idleTimeout,
      int maxConnectionsPerEndpoint,
      int maxConcurrentRequests,
      CircuitBreakerConfig circuitBreaker,
      OutlierDetectionConfig outlierDetection,
      HealthCheckConfig healthCheck,
      RetryConfig retry,
      RetryBudgetConfig retryBudget,
      DiscoveryConfig discovery,
      LeasesConfig leases,
      RecoveryConfig recovery,
      UpstreamTlsConfig tls) {
    this(name, endpoints, loadBalancer, connectTimeout, idleTimeout, maxConnectionsPerEndpoint,
        maxConcurrentRequests, circuitBreaker, outlierDetection, healthCheck, retry, retryBudget, discovery, leases,
        recovery, tls, UpstreamProtocol.HTTP1);
  }

  /** A plaintext HTTP/1.1 upstream. */
  public UpstreamConfig(
      String name,
      List<EndpointConfig> endpoints,
      LoadBalancerType loadBalancer,
      Duration connectTimeout,
      Duration idleTimeout,
      int maxConnectionsPerEndpoint,
      int maxConcurrentRequests,
      CircuitBreakerConfig circuitBreaker,
      OutlierDetectionConfig outlierDetection,
      HealthCheckConfig healthCheck,
      RetryConfig retry,
      RetryBudgetConfig retryBudget,
      DiscoveryConfig discovery,
      LeasesConfig leases,
      RecoveryConfig recovery) {
    this(name, endpoints, loadBalancer, connectTimeout, idleTimeout, maxConnectionsPerEndpoint,
        maxConcurrentRequests, circuitBreaker, outlierDetection, healthCheck, retry, retryBudget, discovery, leases,
        recovery, null, UpstreamProtocol.HTTP1);
  }
}
