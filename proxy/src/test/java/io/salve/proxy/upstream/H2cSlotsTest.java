package io.salve.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The h2c pool's choices: which connection takes a stream, how many connections to open. */
class H2cSlotsTest {
  record Conn(boolean acceptsStream, int activeStreams) implements H2cSlots.Candidate {}

  @Test
  void packsStreamsOntoTheBusiestConnectionWithRoom() {
    assertThat(H2cSlots.pick(List.of(new Conn(true, 3), new Conn(true, 7), new Conn(false, 9)))).isEqualTo(1);
  }

  @Test
  void tiesGoToTheOlderConnection() {
    assertThat(H2cSlots.pick(List.of(new Conn(true, 2), new Conn(true, 2)))).isZero();
  }

  @Test
  void noneWhenEveryConnectionIsFullNotReadyOrGoingAway() {
    assertThat(H2cSlots.pick(List.of(new Conn(false, 10), new Conn(false, 0)))).isEqualTo(-1);
    assertThat(H2cSlots.pick(List.of())).isEqualTo(-1);
  }

  @Test
  void opensOneConnectionPerPeerLimitOfWaiters_withinTheConnectionLimit() {
    assertThat(H2cSlots.toOpen(25, 0, 10, 0, 8)).isEqualTo(3);
    assertThat(H2cSlots.toOpen(25, 0, 10, 6, 8)).as("capped by the connection limit").isEqualTo(2);
    assertThat(H2cSlots.toOpen(25, 0, 10, 8, 8)).isZero();
  }

  @Test
  void countsConnectionsBeingOpenedAsComingCapacity() {
    assertThat(H2cSlots.toOpen(10, 1, 10, 1, 8)).isZero();
    assertThat(H2cSlots.toOpen(11, 1, 10, 1, 8)).isEqualTo(1);
  }

  @Test
  void anUnlimitedPeerNeedsOneConnection() {
    assertThat(H2cSlots.toOpen(1000, 0, Long.MAX_VALUE, 0, 8)).isEqualTo(1);
    assertThat(H2cSlots.toOpen(1000, 2, Long.MAX_VALUE, 2, 8)).as("no overflow").isZero();
  }
}
