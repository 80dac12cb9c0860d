/**
 * The composition root: {@code Main} (command line), {@code Salve} (one running proxy: event loops,
 * upstreams, listeners, admin, metrics and access log wired together), {@code Reconfiguration}
 * (applies a reloaded configuration), {@code Drain}, {@code ShutdownSignals}, {@code LeakSweep} and
 * {@code DemoUpstream}.
 *
 * <p>May import: every package. Imported by: nothing (enforced by {@code LayeringTest}); a class
 * another package needs does not belong here. See docs/architecture.md.
 */
package io.salve.proxy;
