package io.salve.proxy.coord;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.salve.proxy.upstream.EndpointSource;
import io.salve.proxy.util.Ticker;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code discovery.etcd: <service>}: an upstream's share of endpoints read from the registrations
 * under {@code {namespace}/services/{service}/}.
 *
 * <p>A sync is a full read of the prefix (which replaces the set whole, so whatever was missed while
 * etcd was away is reconciled), then a watch from the read's revision + 1, which applies each put
 * and delete as it happens. While the watch runs, salve asks etcd for a progress notification every
 * second; a watch that fails, is cancelled (for example because its revision was compacted), or
 * stays silent for {@link #SILENCE} (a frozen etcd keeps the TCP connection open but answers
 * nothing) is dropped: the set is marked stale and kept, and a new sync is tried with backoff, at
 * once when the session sees etcd answer again.
 *
 * <p>Threading: all state lives on the session's coordination thread; jetcd callbacks hop there.
 */
final class EtcdDiscovery implements EndpointSource {
  private static final Logger LOG = LoggerFactory.getLogger(EtcdDiscovery.class);
  static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(1);
  static final Duration SILENCE = Duration.ofSeconds(3);
  private static final Duration FIRST_RETRY = Duration.ofMillis(250);
  private static final Duration MAX_RETRY = Duration.ofSeconds(5);

  private final EtcdSession session;
  private final DiscoveredSet set;
  private final Ticker ticker;
  private final String prefix;
  private Sink sink;
  /** Bumped whenever a watch is abandoned, so late callbacks of an old watch are ignored. */
  private long generation;
  private Watch.Watcher watcher;
  private boolean syncing;
  private long lastHeardNanos;
  private Duration retry = FIRST_RETRY;
  private ScheduledFuture<?> retryTask;
  private ScheduledFuture<?> progressTask;
  private volatile boolean closed;

  EtcdDiscovery(EtcdSession session, String upstream, String service, Ticker ticker, Clock clock) {
    this.session = session;
    this.ticker = ticker;
    this.set = new DiscoveredSet(upstream, service, ticker, clock);
    this.prefix = Registrations.servicePrefix(session.namespace(), service);
  }

  DiscoveredSet set() {
    return set;
  }

  @Override
  public String name() {
    return "etcd";
  }

  @Override
  public void start(Sink sink) {
    session.executor().execute(
        () -> {
          this.sink = sink;
          LOG.info("discovery: upstream {} follows etcd service '{}' (keys under {})", set.upstream(), set.service(), prefix);
          session.addListener(this::onConnectivity);
          progressTask =
              session.executor().scheduleWithFixedDelay(
                  this::checkProgress, PROGRESS_INTERVAL.toMillis(), PROGRESS_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
          sync();
        });
  }

  @Override
  public String emptyReason() {
    return set.emptyReason();
  }

  @Override
  public int size() {
    return set.endpoints().size();
  }

  @Override
  public double staleSeconds() {
    return set.staleSeconds();
  }

  @Override
  public Map<String, Object> describe() {
    return set.describe();
  }

  private void onConnectivity(boolean up) {
    if (closed) {
      return;
    }
    if (!up) {
      drop("etcd unreachable: " + session.lastError());
    } else if (watcher == null && !syncing) {
      retry = FIRST_RETRY;
      sync(); // etcd is back: do not wait out the backoff
    }
  }

  private void sync() {
    if (closed || syncing || watcher != null) {
      return;
    }
    cancelRetry();
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
    Map<String, String> values = new LinkedHashMap<>();
    for (KeyValue kv : resp.getKvs()) {
      values.put(text(kv.getKey()), text(kv.getValue()));
    }
    long revision = resp.getHeader().getRevision();
    set.replaceAll(values, revision);
    deliver();
    retry = FIRST_RETRY;
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
    long revision = resp.getHeader().getRevision();
    if (resp.getEvents().isEmpty()) {
      set.confirmed(revision);
      return;
    }
    List<Map.Entry<String, String>> events = new ArrayList<>();
    for (WatchEvent e : resp.getEvents()) {
      String key = text(e.getKeyValue().getKey());
      switch (e.getEventType()) {
        case PUT -> events.add(new AbstractMap.SimpleEntry<>(key, text(e.getKeyValue().getValue())));
        case DELETE -> events.add(new AbstractMap.SimpleEntry<>(key, null));
        default -> {}
      }
      revision = Math.max(revision, e.getKeyValue().getModRevision());
    }
    if (set.apply(events, revision)) {
      deliver();
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
    if (closed || retryTask != null) {
      return;
    }
    Duration delay = retry;
    Duration doubled = retry.multipliedBy(2);
    retry = doubled.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : doubled;
    retryTask =
        session.executor().schedule(
            () -> {
              retryTask = null;
              sync();
            },
            delay.toMillis(),
            TimeUnit.MILLISECONDS);
  }

  private void cancelRetry() {
    if (retryTask != null) {
      retryTask.cancel(false);
      retryTask = null;
    }
  }

  private void deliver() {
    if (sink != null) {
      sink.accept(set.endpoints());
    }
  }

  private static String text(ByteSequence b) {
    return b.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    closed = true;
    onCoordinationThread(
        () -> {
          cancelRetry();
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
