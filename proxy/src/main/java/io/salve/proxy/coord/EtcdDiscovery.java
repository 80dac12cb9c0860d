package io.salve.proxy.coord;

import io.salve.proxy.upstream.EndpointSource;
import io.salve.proxy.util.Ticker;
import java.time.Clock;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code discovery.etcd: <service>}: an upstream's share of endpoints read from the registrations
 * under {@code {namespace}/services/{service}/}.
 *
 * <p>A {@link ServiceWatch} keeps a {@link DiscoveredSet} in step with etcd (a full read, then a
 * watch; a watch that fails or stays silent is dropped, the set marked stale and kept, and a new
 * sync tried with backoff); this class hands the set's endpoints to the upstream's {@link Sink}
 * whenever they change and answers the {@link EndpointSource} questions from the set.
 *
 * <p>Threading: all state lives on the session's coordination thread; jetcd callbacks hop there.
 */
final class EtcdDiscovery implements EndpointSource {
  private static final Logger LOG = LoggerFactory.getLogger(EtcdDiscovery.class);

  private final EtcdSession session;
  private final DiscoveredSet set;
  private final String prefix;
  private final ServiceWatch watch;
  private Sink sink;

  EtcdDiscovery(EtcdSession session, String upstream, String service, Ticker ticker, Clock clock) {
    this.session = session;
    this.set = new DiscoveredSet(upstream, service, ticker, clock);
    this.prefix = Registrations.servicePrefix(session.namespace(), service);
    this.watch = new ServiceWatch(session, set, prefix, ticker, this::deliver);
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
          watch.start();
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

  private void deliver() {
    if (sink != null) {
      sink.accept(set.endpoints());
    }
  }

  @Override
  public void close() {
    watch.close();
  }
}
