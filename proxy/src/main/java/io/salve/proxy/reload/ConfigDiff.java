package io.salve.proxy.reload;

import io.salve.config.CoordinationConfig;
import io.salve.config.ListenerConfig;
import io.salve.config.SalveConfig;
import io.salve.config.UpstreamConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a new configuration changes relative to the running one, and what of it can change without
 * a restart. A plain decision: no I/O, no runtime objects.
 *
 * <p>Reloadable: listeners (routes, limits, trusted proxies, address: a moved listener is rebound),
 * upstreams (an upstream whose definition is unchanged keeps its running state; a changed one starts
 * afresh), {@code drainTimeout} and {@code reload}. Restart-only, kept at their running value and
 * named in {@link #restartOnly()}: {@code admin}, {@code coordination}, {@code loadShedding},
 * {@code accessLog}. Some changes cannot be applied at all and make the whole reload fail ({@link
 * #blockers()}): upstreams whose endpoints come from leases or discovery are held by those services,
 * so adding, changing or removing one needs a restart, as does a new recovery action.
 */
public final class ConfigDiff {
  private final SalveConfig current;
  private final SalveConfig effective;
  private final List<String> upstreamsAdded = new ArrayList<>();
  private final List<String> upstreamsChanged = new ArrayList<>();
  private final List<String> upstreamsRemoved = new ArrayList<>();
  private final List<String> listenersAdded = new ArrayList<>();
  private final List<String> listenersMoved = new ArrayList<>();
  private final List<String> listenersRemoved = new ArrayList<>();
  private final List<String> restartOnly = new ArrayList<>();
  private final List<String> blockers = new ArrayList<>();

  private ConfigDiff(SalveConfig current, SalveConfig next) {
    this.current = current;
    compareUpstreams(current.upstreams(), next.upstreams());
    compareListeners(current, next);
    keep("admin", current.admin(), next.admin());
    keep("coordination", current.coordination(), next.coordination());
    keep("loadShedding", current.loadShedding(), next.loadShedding());
    keep("accessLog", current.accessLog(), next.accessLog());
    checkKeptReferences(next);
    this.effective =
        new SalveConfig(
            current.admin(),
            next.listeners(),
            next.upstreams(),
            current.loadShedding(),
            current.coordination(),
            current.accessLog(),
            next.drainTimeout(),
            next.reload());
  }

  /** @return how {@code next} differs from {@code current}. */
  public static ConfigDiff between(SalveConfig current, SalveConfig next) {
    return new ConfigDiff(Objects.requireNonNull(current, "current"), Objects.requireNonNull(next, "next"));
  }

  private void compareUpstreams(Map<String, UpstreamConfig> before, Map<String, UpstreamConfig> after) {
    for (UpstreamConfig u : after.values()) {
      UpstreamConfig old = before.get(u.name());
      if (old == null) {
        upstreamsAdded.add(u.name());
      } else if (!old.equals(u)) {
        upstreamsChanged.add(u.name());
      }
      if (!u.equals(old) && (held(u) || held(old))) {
        blockers.add("upstream '" + u.name() + "' takes its endpoints from "
            + (u.leases() != null || (old != null && old.leases() != null) ? "leases" : "discovery")
            + "; adding or changing it needs a restart");
      }
      if (u.recovery() != null && (old == null || !u.recovery().equals(old.recovery()))) {
        blockers.add("upstream '" + u.name() + "' has a new or changed recovery action; that needs a restart");
      }
    }
    for (UpstreamConfig old : before.values()) {
      if (!after.containsKey(old.name())) {
        upstreamsRemoved.add(old.name());
        if (held(old)) {
          blockers.add("upstream '" + old.name() + "' takes its endpoints from "
              + (old.leases() != null ? "leases" : "discovery") + "; removing it needs a restart");
        }
      }
    }
  }

  private static boolean held(UpstreamConfig u) {
    return u != null && (u.leases() != null || u.discovery() != null);
  }

  private void compareListeners(SalveConfig before, SalveConfig after) {
    Map<String, ListenerConfig> old = new LinkedHashMap<>();
    before.listeners().forEach(l -> old.put(l.name(), l));
    for (ListenerConfig l : after.listeners()) {
      ListenerConfig was = old.remove(l.name());
      if (was == null) {
        listenersAdded.add(l.name());
        if (before.loadShedding().adaptiveConcurrency().enabled()) {
          restartOnly.add("loadShedding.adaptiveConcurrency for the new listener '" + l.name() + "'");
        }
      } else if (!was.address().equals(l.address())) {
        listenersMoved.add(l.name());
      }
    }
    listenersRemoved.addAll(old.keySet());
  }

  private void keep(String setting, Object running, Object next) {
    if (!Objects.equals(running, next)) {
      restartOnly.add(setting);
    }
  }

  /** The kept sections must not name upstreams the new configuration no longer has. */
  private void checkKeptReferences(SalveConfig next) {
    List<String> names = new ArrayList<>(current.admin().readyWhenHealthy());
    CoordinationConfig c = current.coordination();
    if (c != null && c.leaderElection() != null && c.leaderElection().whenHealthy() != null) {
      names.add(c.leaderElection().whenHealthy());
    }
    if (c != null && c.registration() != null && c.registration().whenHealthy() != null) {
      names.add(c.registration().whenHealthy());
    }
    for (String name : names) {
      if (!next.upstreams().containsKey(name)) {
        blockers.add("upstream '" + name + "' is removed, but the running admin or coordination section"
            + " (which only a restart changes) refers to it");
      }
    }
  }

  /** @return the configuration to run: the new one, with the restart-only sections kept as running. */
  public SalveConfig effective() {
    return effective;
  }

  /** @return whether the effective configuration equals the running one. */
  public boolean isEmpty() {
    return effective.equals(current);
  }

  /** @return the upstreams the new configuration adds, by name. */
  public List<String> upstreamsAdded() {
    return List.copyOf(upstreamsAdded);
  }

  /** @return the upstreams whose definition changed: they start afresh. */
  public List<String> upstreamsChanged() {
    return List.copyOf(upstreamsChanged);
  }

  public List<String> upstreamsRemoved() {
    return List.copyOf(upstreamsRemoved);
  }

  public List<String> listenersAdded() {
    return List.copyOf(listenersAdded);
  }

  /** @return the listeners whose address changed: they are rebound. */
  public List<String> listenersMoved() {
    return List.copyOf(listenersMoved);
  }

  public List<String> listenersRemoved() {
    return List.copyOf(listenersRemoved);
  }

  /** @return the changed settings that keep their running value until a restart. */
  public List<String> restartOnly() {
    return List.copyOf(restartOnly);
  }

  /** @return why the new configuration cannot be applied at all; empty when it can. */
  public List<String> blockers() {
    return List.copyOf(blockers);
  }

  /** @return a one-line summary for the log. */
  public String summary() {
    List<String> parts = new ArrayList<>();
    part(parts, "upstreams added", upstreamsAdded);
    part(parts, "upstreams changed", upstreamsChanged);
    part(parts, "upstreams removed", upstreamsRemoved);
    part(parts, "listeners added", listenersAdded);
    part(parts, "listeners moved", listenersMoved);
    part(parts, "listeners removed", listenersRemoved);
    return parts.isEmpty() ? "routes and settings only" : String.join("; ", parts);
  }

  private static void part(List<String> parts, String what, List<String> names) {
    if (!names.isEmpty()) {
      parts.add(what + ": " + String.join(", ", names));
    }
  }
}
