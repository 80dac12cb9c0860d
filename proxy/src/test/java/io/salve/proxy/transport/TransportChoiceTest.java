package io.salve.proxy.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.salve.proxy.transport.TransportChoice.Availability;
import io.salve.proxy.transport.TransportChoice.Transport;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransportChoiceTest {
  /** A machine where each native transport loads or not, recording which checks were made. */
  private static final class Machine implements Availability {
    final boolean ioUring;
    final boolean epoll;
    final List<String> probed = new ArrayList<>();

    Machine(boolean ioUring, boolean epoll) {
      this.ioUring = ioUring;
      this.epoll = epoll;
    }

    @Override
    public Throwable ioUringUnavailability() {
      probed.add("io_uring");
      return ioUring ? null : new IllegalStateException("io_uring_setup: Operation not permitted");
    }

    @Override
    public Throwable epollUnavailability() {
      probed.add("epoll");
      return epoll ? null : new UnsatisfiedLinkError("no netty_transport_native_epoll");
    }
  }

  @Test
  void theDefaultIsIoUringWhereTheKernelAllowsIt() {
    Machine m = new Machine(true, true);

    TransportChoice c = TransportChoice.choose(null, false, m);

    assertThat(c.transport()).isEqualTo(Transport.IO_URING);
    assertThat(c.fallback()).isNull();
    assertThat(c.asked()).isFalse();
    assertThat(m.probed).containsExactly("io_uring");
  }

  @Test
  void theDefaultFallsBackToEpollWithoutBeingAskedFor() {
    TransportChoice c = TransportChoice.choose(null, false, new Machine(false, true));

    assertThat(c.transport()).isEqualTo(Transport.EPOLL);
    assertThat(c.fallback()).startsWith("io_uring is not available");
    assertThat(c.asked()).as("logged as information, not as a warning").isFalse();
    assertThat(TransportChoice.choose("io_uring", false, new Machine(false, true)).asked()).isTrue();
  }

  @Test
  void ioUringWhenAskedForAndTheKernelAllowsIt() {
    TransportChoice c = TransportChoice.choose("io_uring", false, new Machine(true, true));

    assertThat(c.transport()).isEqualTo(Transport.IO_URING);
    assertThat(c.transport().key()).isEqualTo("io_uring");
    assertThat(c.fallback()).isNull();
  }

  @Test
  void ioUringFallsBackToEpollWithTheCause() {
    TransportChoice c = TransportChoice.choose("io_uring", false, new Machine(false, true));

    assertThat(c.transport()).isEqualTo(Transport.EPOLL);
    assertThat(c.fallback())
        .isEqualTo("io_uring is not available (IllegalStateException: io_uring_setup: Operation not permitted), using epoll");
  }

  @Test
  void withNeitherNativeTransportItIsNio() {
    TransportChoice c = TransportChoice.choose("io_uring", false, new Machine(false, false));

    assertThat(c.transport()).isEqualTo(Transport.NIO);
    assertThat(c.fallback()).contains("io_uring is not available").contains("; epoll is not available (UnsatisfiedLinkError")
        .endsWith(", using nio");
    assertThat(TransportChoice.choose(null, false, new Machine(false, false)).transport()).isEqualTo(Transport.NIO);
  }

  @Test
  void nioIsNeverProbedAndAlwaysWorks() {
    Machine m = new Machine(true, true);

    assertThat(TransportChoice.choose("nio", false, m).transport()).isEqualTo(Transport.NIO);
    assertThat(m.probed).isEmpty();
  }

  @Test
  void theOlderNioSwitchStillWorksUnlessATransportIsNamed() {
    assertThat(TransportChoice.choose(null, true, new Machine(true, true)).transport()).isEqualTo(Transport.NIO);
    assertThat(TransportChoice.choose("epoll", true, new Machine(true, true)).transport()).isEqualTo(Transport.EPOLL);
  }

  @Test
  void valuesAreCaseInsensitiveAndBlankMeansTheDefault() {
    assertThat(TransportChoice.parse(" IO_URING ")).isEqualTo(Transport.IO_URING);
    assertThat(TransportChoice.parse("iouring")).isEqualTo(Transport.IO_URING);
    assertThat(TransportChoice.parse("Epoll")).isEqualTo(Transport.EPOLL);
    assertThat(TransportChoice.parse("")).isNull();
    assertThat(TransportChoice.parse(null)).isNull();
  }

  @Test
  void anUnknownValueIsRefusedWithTheAcceptedOnes() {
    assertThatThrownBy(() -> TransportChoice.parse("kqueue"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown transport 'kqueue': expected io_uring, epoll or nio");
  }

  @Test
  void nettyProbesAnswerOnThisMachine() {
    Availability netty = TransportChoice.netty();

    // whatever the kernel allows, the probes must answer rather than throw
    TransportChoice c = TransportChoice.choose("io_uring", false, netty);
    assertThat(c.transport()).isNotNull();
    assertThat(c.fallback() == null).isEqualTo(c.transport() == Transport.IO_URING);
  }
}
