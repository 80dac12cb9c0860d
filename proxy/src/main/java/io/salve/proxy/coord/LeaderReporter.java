package io.salve.proxy.coord;

import io.etcd.jetcd.KeyValue;
import io.salve.proxy.util.Ticker;
import java.nio.charset.StandardCharsets;

/**
 * Decides what a {@link LeaderElection} puts on its {@link LeaderBoard} from what this instance
 * knows: its own term, the leader etcd last named, and the key it last stepped down from. This
 * instance is reported as leader ({@code self}) only while its term has won, its upstream is
 * healthy and its lease is trusted; otherwise the board shows etcd's answer, except that our own
 * resigned key is not reported as leader while etcd still names it.
 *
 * <p>Owned by the coordination thread.
 */
final class LeaderReporter {
  private final LeaderBoard board;
  private final String identity;
  private final Ticker ticker;
  private String observedLeader;
  private Long observedRevision;
  private long endedRevision = -1;

  LeaderReporter(LeaderBoard board, String identity, Ticker ticker) {
    this.board = board;
    this.identity = identity;
    this.ticker = ticker;
  }

  /**
   * Remembers etcd's latest answer about the leader.
   *
   * @param leader the leader's key and value, or null when etcd says there is none
   * @return the leader's fencing token (its key's create revision), or null
   */
  Long observed(KeyValue leader) {
    observedLeader = leader == null ? null : leader.getValue().toString(StandardCharsets.UTF_8);
    observedRevision = leader == null ? null : leader.getCreateRevision();
    return observedRevision;
  }

  /** This instance stopped leading under {@code fencingToken}. */
  void steppedDown(long fencingToken) {
    endedRevision = fencingToken;
  }

  /**
   * Puts the current verdict on the board.
   *
   * @param term this instance's current term, or null between terms
   * @param healthy whether the {@code whenHealthy} upstream has a healthy endpoint
   */
  void publish(ElectionTerm term, boolean healthy) {
    if (term != null && term.leads()) {
      boolean self = healthy && term.trusted();
      if (self) {
        board.publish(identity, true, term.fencingToken(), ticker.nanos() + term.nanosUntilDistrust());
      } else {
        board.publish(null, null); // leading on etcd, maybe, but salve can no longer vouch for it
      }
    } else if (observedRevision != null && observedRevision == endedRevision) {
      board.publish(null, null); // our own resigned key, until etcd says who follows
    } else {
      board.publish(observedLeader, observedRevision);
    }
  }
}
