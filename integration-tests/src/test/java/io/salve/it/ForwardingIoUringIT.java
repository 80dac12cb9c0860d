package io.salve.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The forwarding scenarios on the io_uring transport ({@code -Dsalve.transport=io_uring}), with two
 * event loops. Where the kernel does not allow io_uring salve falls back to epoll, says why, and the
 * same scenarios must pass there.
 */
class ForwardingIoUringIT extends AbstractForwardingIT {
  @Override
  int eventLoops() {
    return 2;
  }

  @Override
  List<String> jvmArgs() {
    return List.of("-Dsalve.transport=io_uring");
  }

  @Test
  void theReadyLineNamesTheTransportInUse() throws Exception {
    String log = salveLog();
    if (log.contains("io_uring is not available")) {
      assertThat(log).contains("salve ready (epoll transport, 1 listener(s))");
    } else {
      assertThat(log).contains("salve ready (io_uring transport, 1 listener(s))");
    }
  }
}
