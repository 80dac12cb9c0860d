package io.salve.proxy.coord;

import io.salve.proxy.util.JsonText;
import java.time.Instant;
import java.util.Objects;

/**
 * What this instance knows about one election, as served by {@code GET /leader} and POSTed to the
 * webhook.
 *
 * @param election the election name
 * @param leader the leader's identity, or null when there is none or it cannot be confirmed
 * @param self whether this instance leads (and can prove it: its lease is surely still alive)
 * @param fencingToken the etcd revision at which the leader's key was created, or null
 * @param since when this view (leader, self, token) last changed
 */
public record LeaderView(String election, String leader, boolean self, Long fencingToken, Instant since) {

  /** @return the initial view: no leader known yet. */
  public static LeaderView unknown(String election, Instant now) {
    return new LeaderView(election, null, false, null, now);
  }

  /** @return whether {@code other} says something different (ignoring {@code since}). */
  public boolean differsFrom(LeaderView other) {
    return self != other.self
        || !Objects.equals(leader, other.leader)
        || !Objects.equals(fencingToken, other.fencingToken);
  }

  /** @return the JSON document, without Jackson (webhook and admin share it). */
  public String toJson() {
    StringBuilder sb = new StringBuilder("{\"election\":");
    JsonText.appendString(sb, election);
    sb.append(",\"leader\":");
    if (leader == null) {
      sb.append("null");
    } else {
      JsonText.appendString(sb, leader);
    }
    sb.append(",\"self\":").append(self);
    sb.append(",\"fencingToken\":").append(fencingToken == null ? "null" : fencingToken.toString());
    sb.append(",\"since\":");
    JsonText.appendString(sb, since.toString());
    return sb.append("}").toString();
  }
}
