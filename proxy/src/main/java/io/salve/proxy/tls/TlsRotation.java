package io.salve.proxy.tls;

import io.salve.proxy.reload.ConfigWatcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads TLS material when its files change, without a restart. The directories holding the files
 * are watched with the configuration's {@link ConfigWatcher} (a directory, not a file: a Kubernetes
 * Secret volume swaps its {@code ..data} symlink, editors and cert-manager rename). After a burst of
 * changes settles, each material whose files' bytes changed is rebuilt: new handshakes use it,
 * established connections keep theirs. Material that cannot be used (unreadable, not PEM, a key that
 * is not the certificate's) is refused with the file named, and the old material stays.
 *
 * <p>Rebuilding happens on this object's own thread, never on an event loop. Materials are held
 * weakly, so a listener or upstream replaced by a configuration reload is simply forgotten.
 */
public final class TlsRotation implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TlsRotation.class);

  private final Duration debounce;
  private final TlsEvents events;
  private final ScheduledExecutorService executor;
  private final Map<Path, ConfigWatcher> watchers = new HashMap<>();
  /** Each material and the digest of its files' content when last (re)built or refused. */
  private final Map<TlsMaterial, byte[]> materials = new WeakHashMap<>();
  private boolean closed;

  public TlsRotation(Duration debounce) {
    this(debounce, TlsEvents.NONE);
  }

  /** @param events hears of every material watched (for its expiry gauge) */
  public TlsRotation(Duration debounce, TlsEvents events) {
    this.debounce = debounce;
    this.events = events;
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "salve-tls-rotation");
      t.setDaemon(true);
      return t;
    });
  }

  /** Watches the files of {@code material} from now on. */
  public synchronized void watch(TlsMaterial material) {
    if (closed) {
      return;
    }
    materials.put(material, digest(material.files()));
    events.materialLoaded(material);
    for (Path file : material.files()) {
      Path dir = file.toAbsolutePath().getParent();
      if (dir == null) {
        continue;
      }
      ConfigWatcher existing = watchers.get(dir);
      if (existing != null) {
        existing.alsoWatch(file); // its events name this file, not the first one seen there
      } else {
        ConfigWatcher w = new ConfigWatcher(file, debounce, executor, this::check);
        try {
          w.start();
          watchers.put(dir, w);
        } catch (IOException e) {
          LOG.warn("cannot watch {} for TLS rotation ({}); its certificates reload only with a restart", dir,
              e.getMessage());
        }
      }
    }
  }

  /** Rebuilds every material whose files changed; runs on the rotation thread (tests may call it). */
  public void check() {
    List<TlsMaterial> changed = new ArrayList<>();
    synchronized (this) {
      for (Map.Entry<TlsMaterial, byte[]> e : materials.entrySet()) {
        byte[] now = digest(e.getKey().files());
        if (!Arrays.equals(now, e.getValue())) {
          e.setValue(now);
          changed.add(e.getKey());
        }
      }
    }
    for (TlsMaterial m : changed) {
      try {
        m.reload();
        LOG.info("TLS material of {} reloaded: new handshakes use it", m.describe());
      } catch (TlsMaterialException e) {
        LOG.error("TLS material of {} not reloaded, keeping the previous one: {}", m.describe(), e.getMessage());
      } catch (RuntimeException e) {
        LOG.error("TLS material of {} not reloaded, keeping the previous one", m.describe(), e);
      }
    }
  }

  /** A missing or unreadable file digests as such, so it reads as a change once it is back. */
  private static byte[] digest(List<Path> files) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      for (Path f : files) {
        d.update(f.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try {
          d.update(Files.readAllBytes(f));
        } catch (IOException e) {
          d.update((byte) 0);
        }
      }
      return d.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    watchers.values().forEach(ConfigWatcher::close);
    watchers.clear();
    executor.shutdownNow();
  }
}
