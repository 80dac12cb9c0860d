package io.salve.config;

/**
 * Hot reload of the configuration file.
 *
 * @param watch whether salve watches its configuration file (its directory, so a Kubernetes
 *     ConfigMap's atomic {@code ..data} swap is seen) and reloads on change (default true); SIGHUP
 *     reloads either way
 */
public record ReloadConfig(boolean watch) {
  /** The settings when the section is absent. */
  public static final ReloadConfig DEFAULT = new ReloadConfig(true);
}
