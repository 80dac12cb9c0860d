package io.salve.proxy.reload;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the directory of the configuration file and calls back once a burst of changes has
 * settled.
 *
 * <p>The directory, not the file: editors replace files by rename, and a Kubernetes ConfigMap
 * volume swaps its {@code ..data} symlink to a new timestamped directory, so the inode salve opened
 * never changes. An event counts when it names the file (or another one given to {@link
 * #alsoWatch}), the file a symlink of it points to in the same directory, or an entry whose name
 * starts with {@code ..} (a ConfigMap's {@code ..data} and timestamped directories), or when events
 * were lost. Others (an access log written beside the configuration, an editor's swap file) are
 * ignored: a log written every few milliseconds would otherwise keep the directory from ever being
 * quiet and hold a reload back for as long as traffic flows. Whether the file's content really
 * changed is the callback's question (it compares hashes). Events closer together than the debounce
 * delay make one callback, after the last of them: a ConfigMap update is several renames and
 * deletes.
 *
 * <p>A daemon thread blocks on the {@link WatchService}; callbacks run on the given executor.
 */
public final class ConfigWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigWatcher.class);

  private final Path directory;
  /** The watched files' names, and those of the files beside them their symlinks point to. */
  private final Set<Path> names = ConcurrentHashMap.newKeySet();
  private final long debounceNanos;
  private final ScheduledExecutorService executor;
  private final Runnable onChange;
  private WatchService service;
  private ScheduledFuture<?> pending;
  private volatile boolean closed;

  /**
   * @param file the configuration file; its parent directory is watched
   * @param debounce how long the directory must stay quiet before {@code onChange} runs
   * @param executor runs {@code onChange}
   */
  public ConfigWatcher(Path file, Duration debounce, ScheduledExecutorService executor, Runnable onChange) {
    Path absolute = file.toAbsolutePath();
    this.directory = absolute.getParent();
    names.add(absolute.getFileName());
    this.debounceNanos = debounce.toNanos();
    this.executor = executor;
    this.onChange = onChange;
  }

  /** Registers the watch and starts the watching thread. */
  public synchronized void start() throws IOException {
    names.addAll(sameDirectoryTargets());
    service = directory.getFileSystem().newWatchService();
    directory.register(service, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY, OVERFLOW);
    Thread t = new Thread(this::watch, "salve-config-watch");
    t.setDaemon(true);
    t.start();
  }

  /** Also calls back for changes to {@code file}, which is in the same directory. */
  public void alsoWatch(Path file) {
    names.add(file.getFileName());
    names.addAll(sameDirectoryTargets());
  }

  /** @return the watched directory. */
  public Path directory() {
    return directory;
  }

  private void watch() {
    try {
      while (!closed) {
        WatchKey key = service.take();
        boolean relevant = false;
        for (WatchEvent<?> event : key.pollEvents()) {
          relevant |= concerns(event);
        }
        if (relevant) {
          names.addAll(sameDirectoryTargets()); // a symlink may point elsewhere now
          changed();
        }
        if (!key.reset()) {
          LOG.warn("configuration directory {} is gone; no longer watching it (SIGHUP still reloads)", directory);
          return;
        }
      }
    } catch (ClosedWatchServiceException e) {
      // closed: done
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean concerns(WatchEvent<?> event) {
    if (event.kind() == OVERFLOW || !(event.context() instanceof Path entry)) {
      return true;
    }
    return names.contains(entry) || entry.toString().startsWith("..");
  }

  private List<Path> sameDirectoryTargets() {
    List<Path> targets = new ArrayList<>();
    Path realDirectory;
    try {
      realDirectory = directory.toRealPath();
    } catch (IOException e) {
      return targets; // the directory is gone: the watch loop says so
    }
    for (Path name : names) {
      try {
        Path real = directory.resolve(name).toRealPath();
        if (real.getParent().equals(realDirectory)) {
          targets.add(real.getFileName());
        }
      } catch (IOException e) {
        // not there (yet): its own name is what an editor or a ConfigMap creates
      }
    }
    return targets;
  }

  /** Restarts the quiet period; the callback runs once it has passed without another change. */
  synchronized void changed() {
    if (closed) {
      return;
    }
    if (pending != null) {
      pending.cancel(false);
    }
    pending = executor.schedule(onChange, debounceNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (pending != null) {
      pending.cancel(false);
    }
    if (service != null) {
      try {
        service.close();
      } catch (IOException e) {
        LOG.debug("closing the configuration watch failed", e);
      }
    }
  }
}
