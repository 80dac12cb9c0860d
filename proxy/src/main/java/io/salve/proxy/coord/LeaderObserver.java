package io.salve.proxy.coord;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.election.NoLeaderException;
import io.etcd.jetcd.options.WatchOption;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Reads who leads an election: etcd's {@code leader} call after every watch event on the
 * election's key prefix, and every {@value #REFRESH_MILLIS}ms in case the watch is reconnecting.
 * Answers are numbered, and one that arrives after a later one was applied is dropped.
 *
 * <p>Owned by the coordination thread; jetcd callbacks hop onto it.
 */
final class LeaderObserver {
  /** Receives each applied answer, on the coordination thread. */
  interface Listener {
    /**
     * @param read the number of the read; reads numbered after {@link #issued()} returned n were
     *     started after that call
     * @param leader the leader's key and value, or null when etcd says there is no leader
     */
    void onLeader(long read, KeyValue leader);
  }

  private static final long REFRESH_MILLIS = 2000;

  private final EtcdSession session;
  private final ScheduledExecutorService executor;
  private final ByteSequence name;
  private final Listener listener;
  private long issued;
  private long applied;
  private boolean stopped;
  private Watch.Watcher watcher;
  private ScheduledFuture<?> refresh;
  private volatile String lastError;

  LeaderObserver(EtcdSession session, ByteSequence name, Listener listener) {
    this.session = session;
    this.executor = session.executor();
    this.name = name;
    this.listener = listener;
  }

  /** Starts the watch and the periodic reads. Call on the coordination thread. */
  void start() {
    watch();
    refresh = executor.scheduleWithFixedDelay(this::refresh, 0, REFRESH_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** @return how many reads were started so far. */
  long issued() {
    return issued;
  }

  /** @return the last watch or read failure, or null. */
  String lastError() {
    return lastError;
  }

  /** Reads the leader now. Call on the coordination thread. */
  void refresh() {
    long read = ++issued;
    session.call("leader", () -> session.client().getElectionClient().leader(name))
        .whenComplete(
            (answer, error) -> {
              if (read <= applied || stopped) {
                return;
              }
              if (error == null) {
                applied = read;
                listener.onLeader(read, answer.getKv());
              } else if (error instanceof NoLeaderException) {
                applied = read;
                listener.onLeader(read, null);
              } else {
                lastError = "leader: " + EtcdSession.describe(error); // keep the last known leader
              }
            });
  }

  private void watch() {
    if (stopped) {
      return;
    }
    ByteSequence prefix = EtcdSession.bytes(name.toString(StandardCharsets.UTF_8) + "/");
    watcher =
        session.client().getWatchClient()
            .watch(
                prefix,
                WatchOption.builder().isPrefix(true).build(),
                Watch.listener(
                    events -> hop(this::refresh),
                    error -> hop(() -> {
                      lastError = "watch: " + EtcdSession.describe(error);
                      watcher.close();
                      executor.schedule(this::watch, 1, TimeUnit.SECONDS);
                    })));
  }

  private void hop(Runnable r) {
    try {
      executor.execute(r);
    } catch (RejectedExecutionException closed) {
      // shutting down: nothing left to update
    }
  }

  /** Stops watching and reading. Call on the coordination thread. */
  void stop() {
    stopped = true;
    if (refresh != null) {
      refresh.cancel(false);
    }
    if (watcher != null) {
      watcher.close();
    }
  }
}
