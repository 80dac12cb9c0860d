package io.salve.config;

import java.time.Duration;

/**
 * One route of a listener.
 *
 * @param name route name (default: {@code route-N}, N its 0-based index)
 * @param match what requests it takes
 * @param upstream the upstream it forwards to (validated to exist)
 * @param criticality shedding tier (default normal)
 * @param timeout whole-request deadline, all attempts included, or null for none
 * @param retry the route's retry policy, or null to use the upstream's
 * @param maxRequestBody body limit in bytes for this route, or -1 to use the listener's
 */
public record RouteConfig(
    String name,
    RouteMatch match,
    String upstream,
    Criticality criticality,
    Duration timeout,
    RetryConfig retry,
    long maxRequestBody) {}
