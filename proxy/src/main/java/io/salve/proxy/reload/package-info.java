/**
 * Configuration hot reload: noticing that the configuration file changed, deciding what a new
 * configuration may change at runtime, and handing a validated one over to be applied.
 *
 * <p>{@link io.salve.proxy.reload.ConfigWatcher} watches the file's directory (a Kubernetes
 * ConfigMap swaps a {@code ..data} symlink there atomically, so the file's own inode never changes)
 * and debounces bursts of events; {@link io.salve.proxy.reload.ReloadCoordinator} runs every reload,
 * from the watcher or SIGHUP, one at a time on its own thread: read, hash, validate, {@link
 * io.salve.proxy.reload.ConfigDiff diff}, apply. {@link io.salve.proxy.reload.ConfigDiff} is a plain
 * decision over two configurations; nothing here runs on an event loop. Outcomes reach metrics/
 * through {@link io.salve.proxy.reload.ReloadCoordinator.Listener}; the composition root's {@code
 * Reconfiguration} applies an accepted configuration.
 *
 * <p>May import: config/, util/. No Netty (enforced).
 */
package io.salve.proxy.reload;
