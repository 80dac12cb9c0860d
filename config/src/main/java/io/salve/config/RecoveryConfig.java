package io.salve.config;

import java.net.URI;
import java.time.Duration;

/**
 * What salve does when every endpoint of an upstream stays unhealthy.
 *
 * @param after how long all endpoints must be unhealthy; also the minimum gap between actions
 * @param webhook URL POSTed with a JSON description (http only)
 */
public record RecoveryConfig(Duration after, URI webhook) {}
