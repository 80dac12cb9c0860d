package io.salve.proxy.coord;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchResponse;
import io.salve.proxy.util.Ticker;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a {@link DiscoveredSet} in step with one service prefix in etcd. A sync is a full read of
 * the prefix (which replaces the set whole, so whatever was missed while etcd was away is
 * reconciled), then a watch from the read's revision + 1 that applies each put and delete as it
 * happens, with a progress request every {@link #PROGRESS_INTERVAL}. A watch that fails, is
 * cancelled (for example because its revision was compacted), or stays silent for {@link #SILENCE}
 * (a frozen etcd keeps the TCP connection open but answers nothing) is dropped: the set is kept but
 * marked stale, and a new sync follows with backoff, or at once when the session sees etcd answer
 * again.
 *
 * <p>This is the etcd half of {@link EtcdDiscovery}, which adapts the set to the upstream's {@code
 * EndpointSource} seam. Every field is owned by the session's coordination thread; jetcd callbacks
 * hop onto it.
 */
final class ServiceWatch {
  static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(1);
  static final Duration SILENCE = Duration.ofSeconds(3);

  private final EtcdSession session;
  private final DiscoveredSet set;
  private final Ticker ticker;
  private final String prefix;
  private final Runnable onChange;
  private final RetryTimer retry;
  /** Bumped whenever a watch is abandoned, so late callbacks of an old watch are ignored. */
  private long generation;
  private Watch.Watcher watcher;
  private boolean syncing;
  private long lastHeardNanos;
  private ScheduledFuture<?> progressTask;
  private volatile boolean closed;

  /**
   * @param onChange called on the coordination thread whenever the set's endpoints may have changed
   */
  ServiceWatch(EtcdSession session, DiscoveredSet set, String prefix, Ticker ticker, Runnable onChange) {
    this.session = session;
    this.set = set;
    this.prefix = prefix;
    this.ticker = ticker;
    this.onChange = onChange;
    this.retry = new RetryTimer(session.executor(), this::sync);
  }

  /** Starts following the prefix; call on the coordination thread. */
  void start() {
    session.addListener(this::onConnectivity);
    progressTask =
        session.executor().scheduleWithFixedDelay(
            this::checkProgress, PROGRESS_INTERVAL.toMillis(), PROGRESS_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    sync();
  }

  private void onConnectivity(boolean up) {
    if (closed) {
      return;
    }
    if (!up) {
      drop("etcd unreachable: " + session.lastError());
    } else if (watcher == null && !syncing) {
      retry.succeeded();
      sync(); // etcd is back: do not wait out the backoff
    }
  }

  private void sync() {
    if (closed || syncing || watcher != null) {
      return;
    }
    retry.cancel();
    syncing = true;
    long gen = ++generation;
    ByteSequence key = EtcdSession.bytes(prefix);
    session
        .call("discovery read of " + prefix, () -> session.client().getKVClient().get(key, GetOption.builder().isPrefix(true).build()))
        .whenComplete(
            (resp, error) -> {
              if (closed || gen != generation) {
                return; // dropped meanwhile: a newer sync (or none) owns the state
              }
              syncing = false;
              if (error != null) {
                set.lost(EtcdSession.describe(error));
                scheduleRetry();
                return;
              }
              onRead(resp, gen);
            });
  }

  private void onRead(GetResponse resp, long gen) {
    long revision = resp.getHeader().getRevision();
    set.replaceAll(EtcdChanges.values(resp), revision);
    onChange.run();
    retry.succeeded();
    lastHeardNanos = ticker.nanos();
    WatchOption option =
        WatchOption.builder().isPrefix(true).withRevision(revision + 1).withRequireLeader(true).build();
    try {
      watcher = session.client().getWatchClient().watch(EtcdSession.bytes(prefix), option, new Listener(gen));
    } catch (RuntimeException e) {
      set.lost("cannot watch: " + EtcdSession.describe(e));
      scheduleRetry();
    }
  }

  /** Called on the coordination thread with one response of watch {@code gen}. */
  private void onWatch(WatchResponse resp, long gen) {
    if (closed || gen != generation || watcher == null) {
      return;
    }
    lastHeardNanos = ticker.nanos();
    session.reportSuccess();
    if (resp.getEvents().isEmpty()) {
      set.confirmed(resp.getHeader().getRevision());
      return;
    }
    if (set.apply(EtcdChanges.events(resp), EtcdChanges.revision(resp))) {
      onChange.run();
    }
  }

  private void checkProgress() {
    if (closed || watcher == null) {
      return;
    }
    try {
      if (ticker.nanos() - lastHeardNanos > SILENCE.toNanos()) {
        drop("the watch got no answer for " + SILENCE.toSeconds() + "s");
        return;
      }
      watcher.requestProgress();
    } catch (RuntimeException e) {
      // A periodic task that throws is never run again: keep checking, start over.
      drop("progress request failed: " + EtcdSession.describe(e));
    }
  }

  /** Abandons the current watch or read: the set is kept but stale, and a new sync is scheduled. */
  private void drop(String reason) {
    if (closed) {
      return;
    }
    generation++;
    syncing = false;
    if (watcher != null) {
      Watch.Watcher w = watcher;
      watcher = null;
      w.close();
    }
    set.lost(reason);
    scheduleRetry();
  }

  private void scheduleRetry() {
    if (!closed) {
      retry.schedule();
    }
  }

  /** Stops following the prefix; callable from any thread. */
  void close() {
    closed = true;
    onCoordinationThread(
        () -> {
          retry.cancel();
          if (progressTask != null) {
            progressTask.cancel(false);
          }
          if (watcher != null) {
            watcher.close();
            watcher = null;
          }
        });
  }

  private void onCoordinationThread(Runnable task) {
    try {
      session.executor().execute(task);
    } catch (RejectedExecutionException e) {
      // Shutting down: a late watch callback has nothing left to update.
    }
  }

  /** jetcd's callbacks, moved onto the coordination thread. */
  private final class Listener implements Watch.Listener {
    private final long gen;

    Listener(long gen) {
      this.gen = gen;
    }

    @Override
    public void onNext(WatchResponse response) {
      onCoordinationThread(() -> onWatch(response, gen));
    }

    @Override
    public void onError(Throwable error) {
      String reason = "watch failed: " + EtcdSession.describe(error);
      onCoordinationThread(
          () -> {
            if (gen == generation) {
              drop(reason);
            }
          });
    }

    @Override
    public void onCompleted() {
      onCoordinationThread(
          () -> {
            if (gen == generation && watcher != null) {
              drop("watch ended");
            }
          });
    }
  }
}
