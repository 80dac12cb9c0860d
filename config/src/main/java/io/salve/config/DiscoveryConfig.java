package io.salve.config;

/**
 * Endpoint discovery.
 *
 * @param etcdService the service name whose registrations in etcd are this upstream's endpoints
 */
public record DiscoveryConfig(String etcdService) {}
