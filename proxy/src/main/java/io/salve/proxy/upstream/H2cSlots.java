package io.salve.proxy.upstream;

import java.util.List;

/**
 * The h2c pool's decisions, as plain functions of counts: which connection takes the next stream,
 * and how many connections to open for the streams waiting.
 */
final class H2cSlots {
  /** A connection as the decision sees it. */
  interface Candidate {
    /** @return whether it takes a new stream now (ready, not going away, below the peer's limit). */
    boolean acceptsStream();

    /** @return streams open on it. */
    int activeStreams();
  }

  private H2cSlots() {}

  /**
   * Packs streams: the busiest connection that still takes one, so that streams share as few
   * connections as possible and the others age out through the idle timeout. Ties go to the older.
   *
   * @return the index of the connection to use, or -1 when none takes a stream
   */
  static int pick(List<? extends Candidate> connections) {
    int best = -1;
    int bestActive = -1;
    for (int i = 0; i < connections.size(); i++) {
      Candidate c = connections.get(i);
      if (c.acceptsStream() && c.activeStreams() > bestActive) {
        best = i;
        bestActive = c.activeStreams();
      }
    }
    return best;
  }

  /**
   * @param waiting streams waiting for a connection
   * @param connecting connections being opened (not ready yet)
   * @param expectedPerConnection the streams a new connection is expected to take (the peer's last
   *     known limit)
   * @param open connections counting against the limit (being opened, or ready and not going away)
   * @param max the most connections to the endpoint from this loop
   * @return how many more connections to open now
   */
  static int toOpen(int waiting, int connecting, long expectedPerConnection, int open, int max) {
    long coming = connecting == 0 ? 0
        : expectedPerConnection > Long.MAX_VALUE / connecting ? Long.MAX_VALUE : connecting * expectedPerConnection;
    long missing = waiting - coming;
    if (missing <= 0) {
      return 0;
    }
    long needed = missing / expectedPerConnection + (missing % expectedPerConnection == 0 ? 0 : 1);
    return (int) Math.max(0, Math.min(needed, max - open));
  }
}
