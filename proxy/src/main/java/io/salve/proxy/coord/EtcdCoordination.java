package io.salve.proxy.coord;

import io.salve.config.CoordinationConfig;
import io.salve.config.SalveConfig;
import io.salve.proxy.upstream.EndpointSource;
import io.salve.proxy.upstream.Upstreams;
import io.salve.proxy.util.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link Coordination} on etcd: one {@link EtcdSession} shared by the election and registration. */
final class EtcdCoordination implements Coordination {
  private static final Logger LOG = LoggerFactory.getLogger(EtcdCoordination.class);

  private final CoordinationConfig config;
  private final EtcdSession session;
  private final List<CoordinationListener> listeners = new CopyOnWriteArrayList<>();
  private final EtcdServices services;
  private final LeaderBoard board;
  private final LeaderElection election;

  EtcdCoordination(SalveConfig salve, Upstreams upstreams) {
    this.config = salve.coordination();
    this.session = new EtcdSession(config.etcd());
    CoordinationConfig.LeaderElectionConfig le = config.leaderElection();
    if (le != null) {
      LeaderWebhook webhook = le.webhook() == null ? null : new LeaderWebhook(le.webhook(), session.executor());
      this.board =
          new LeaderBoard(
              le.election(),
              Clock.systemUTC(),
              Ticker.system(),
              session.executor(),
              (previous, current) -> {
                LOG.info("election {}: leader {}, self {}, fencing token {}",
                    current.election(), current.leader(), current.self(), current.fencingToken());
                listeners.forEach(l -> l.onLeaderChange(previous, current));
                if (webhook != null) {
                  webhook.post(current);
                }
              });
      this.election =
          new LeaderElection(
              session, le, config.identity(), UpstreamHealthGate.of(upstreams, le.whenHealthy()), Ticker.system(), board);
    } else {
      this.board = null;
      this.election = null;
    }
    this.services = new EtcdServices(session, config, salve.upstreams().values(), upstreams);
  }

  @Override
  public Map<String, EndpointSource> endpointSources() {
    return services.sources();
  }

  @Override
  public void addListener(CoordinationListener listener) {
    listeners.add(listener);
    session.addListener(listener);
    if (board != null) {
      listener.onElection(board.current().election());
    }
  }

  @Override
  public void start() {
    session.start();
    if (election != null) {
      election.start();
    }
    services.start();
  }

  @Override
  public Optional<LeaderBoard> leaderBoard() {
    return Optional.ofNullable(board);
  }

  @Override
  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("identity", config.identity());
    m.put("etcd", session.describe());
    if (election != null) {
      m.put("leaderElection", election.describe());
    }
    services.describeInto(m);
    return m;
  }

  @Override
  public void stepDown(Duration max) {
    List<CompletableFuture<Void>> steps = new ArrayList<>();
    if (election != null) {
      steps.add(election.stop());
    }
    steps.add(services.stop());
    long t0 = System.nanoTime();
    try {
      CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new)).get(max.toMillis(), TimeUnit.MILLISECONDS);
      LOG.info("coordination: stepped down in {}ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    } catch (TimeoutException e) {
      LOG.warn("coordination: etcd did not confirm the step-down within {}ms; leases expire on their own", max.toMillis());
    } catch (ExecutionException e) {
      LOG.warn("coordination: step-down failed: {}", EtcdSession.describe(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (board != null) {
      board.releaseAll();
    }
    services.close();
    session.close();
  }
}
