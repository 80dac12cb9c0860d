package io.salve.proxy.reload;

import io.salve.config.ConfigError;
import io.salve.config.ConfigException;
import io.salve.config.ConfigLoader;
import io.salve.config.SalveConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs configuration reloads, one at a time on its own thread (never an event loop): read the
 * file, compare its hash with the running one, validate it with {@link ConfigLoader}, {@link
 * ConfigDiff diff} it against the running configuration and hand it to the {@link Applier}. A file
 * that does not validate, or a change that cannot be applied, leaves the running configuration as
 * it is; every error is logged as {@code FILE:LINE:COL: message}.
 *
 * <p>Triggers: {@link #requestReload} (SIGHUP) always reloads; file events from the {@link
 * ConfigWatcher} (when {@code reload.watch} is on) reload only when the file's content differs
 * from what the last event saw, so a rejected file is reported once, not at every event.
 */
public final class ReloadCoordinator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReloadCoordinator.class);

  /** How a reload ended; the value of the {@code result} label. */
  public enum Result {
    APPLIED,
    UNCHANGED,
    REJECTED;

    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Puts a validated configuration into effect. */
  public interface Applier {
    /**
     * @param next the configuration to run (restart-only sections already kept as running)
     * @param diff how it differs from the running one
     * @throws Exception when it cannot be applied; the runtime must then be as before
     */
    void apply(SalveConfig next, ConfigDiff diff) throws Exception;
  }

  /** Hears the outcome of every reload (metrics). */
  public interface Listener {
    void onReload(Result result);
  }

  private final Path file;
  private final ConfigLoader loader;
  private final Applier applier;
  private final Listener listener;
  private final Duration debounce;
  private final ScheduledExecutorService executor;
  private volatile LoadedConfig current;
  private String lastSeenHash;
  private ConfigWatcher watcher;

  /**
   * @param initial the configuration salve started with
   * @param debounce how long file events must settle before a reload
   */
  public ReloadCoordinator(
      Path file, ConfigLoader loader, LoadedConfig initial, Applier applier, Listener listener, Duration debounce) {
    this.file = Objects.requireNonNull(file, "file");
    this.loader = Objects.requireNonNull(loader, "loader");
    this.current = Objects.requireNonNull(initial, "initial");
    this.applier = Objects.requireNonNull(applier, "applier");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.debounce = debounce;
    this.lastSeenHash = initial.hash();
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "salve-reload");
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts watching the file if the running configuration says so. */
  public void start() {
    executor.execute(() -> watch(current.config().reload().watch()));
  }

  /** @return the running configuration and its hash. */
  public LoadedConfig current() {
    return current;
  }

  /** Reloads soon, on the reload thread, whatever the file's content (SIGHUP). */
  public void requestReload(String trigger) {
    executor.execute(() -> reload(trigger));
  }

  /** Called (debounced) by the watcher: reloads if the content differs from the last one seen. */
  private void onFileEvent() {
    String hash;
    try {
      hash = LoadedConfig.hash(Files.readAllBytes(file));
    } catch (IOException e) {
      return; // mid-swap or gone; the event that completes the swap follows, and SIGHUP still works
    }
    synchronized (this) {
      if (hash.equals(lastSeenHash)) {
        return;
      }
    }
    reload("file change");
  }

  /**
   * Reloads now, on the calling thread.
   *
   * @param trigger what asked for it, for the log
   * @return how it ended
   */
  public synchronized Result reload(String trigger) {
    Result result = attempt(trigger);
    listener.onReload(result);
    return result;
  }

  private Result attempt(String trigger) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      LOG.warn("configuration reload ({}) rejected: cannot read {}: {}; still running {}",
          trigger, file, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), current.hash());
      return Result.REJECTED;
    }
    String hash = LoadedConfig.hash(text);
    lastSeenHash = hash;
    LoadedConfig running = current;
    if (hash.equals(running.hash())) {
      LOG.info("configuration reload ({}): {} is unchanged ({})", trigger, file, hash);
      return Result.UNCHANGED;
    }
    SalveConfig next;
    try {
      next = loader.parse(text, file.toString());
    } catch (ConfigException e) {
      for (ConfigError error : e.errors()) {
        LOG.error("{}", error);
      }
      LOG.error("configuration reload ({}) rejected: {} error(s) in {}; still running {}",
          trigger, e.errors().size(), file, running.hash());
      return Result.REJECTED;
    }
    ConfigDiff diff = ConfigDiff.between(running.config(), next);
    if (!diff.blockers().isEmpty()) {
      diff.blockers().forEach(b -> LOG.error("{}: {}", file, b));
      LOG.error("configuration reload ({}) rejected: it changes what only a restart can; still running {}",
          trigger, running.hash());
      return Result.REJECTED;
    }
    if (!diff.restartOnly().isEmpty()) {
      LOG.warn("configuration reload ({}): these settings need a restart and keep their running value: {}",
          trigger, String.join(", ", diff.restartOnly()));
    }
    if (diff.isEmpty()) {
      current = new LoadedConfig(running.config(), hash);
      LOG.info("configuration reload ({}): {} changed but means the same ({})", trigger, file, hash);
      return Result.UNCHANGED;
    }
    try {
      applier.apply(diff.effective(), diff);
    } catch (Exception e) {
      LOG.error("configuration reload ({}) rejected: {}; still running {}", trigger, e.getMessage(), running.hash());
      return Result.REJECTED;
    }
    current = new LoadedConfig(diff.effective(), hash);
    LOG.info("configuration reload ({}) applied: {} ({})", trigger, diff.summary(), hash);
    watch(diff.effective().reload().watch());
    return Result.APPLIED;
  }

  /** Starts or stops the watcher; runs on the reload thread. */
  private synchronized void watch(boolean on) {
    if (on && watcher == null) {
      ConfigWatcher w = new ConfigWatcher(file, debounce, executor, this::onFileEvent);
      try {
        w.start();
        watcher = w;
        LOG.info("watching {} for configuration changes", w.directory());
      } catch (IOException e) {
        w.close();
        LOG.warn("cannot watch {} for changes ({}); SIGHUP still reloads", w.directory(), e.getMessage());
      }
    } else if (!on && watcher != null) {
      watcher.close();
      watcher = null;
      LOG.info("no longer watching {} (reload.watch: false); SIGHUP still reloads", file);
    }
  }

  @Override
  public void close() {
    executor.execute(
        () -> {
          synchronized (this) {
            if (watcher != null) {
              watcher.close();
              watcher = null;
            }
          }
        });
    executor.shutdown();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
