package io.salve.proxy.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client clocks on a frozen embedded loop: idle 60 s before a request, 10 s for a head. */
class ClientTimeoutsHandlerTest {
  private final ClientTimeoutsHandler timeouts = new ClientTimeoutsHandler(60_000, 10_000);
  private final EmbeddedChannel ch = new EmbeddedChannel();

  ClientTimeoutsHandlerTest() {
    ch.freezeTime();
    ch.pipeline().addLast(timeouts);
    ch.pipeline().fireChannelActive();
  }

  @AfterEach
  void close() {
    ch.finishAndReleaseAll();
  }

  private void advanceSeconds(long s) {
    ch.advanceTimeBy(s, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
  }

  private void receiveBytes() {
    ch.writeInbound(Unpooled.copiedBuffer("GET / HT", StandardCharsets.US_ASCII));
    Object passedOn = ch.readInbound();
    assertThat(passedOn).isNotNull();
    ReferenceCountUtil.release(passedOn);
  }

  @Test
  void anIdleConnectionClosesQuietlyAfterTheIdleTimeout() {
    advanceSeconds(59);
    assertThat(ch.isOpen()).isTrue();

    advanceSeconds(1);

    assertThat(ch.isOpen()).isFalse();
    assertThat((Object) ch.readOutbound()).isNull();
  }

  @Test
  void aHeadThatDoesNotCompleteInTimeGets408() {
    advanceSeconds(30);
    receiveBytes();
    advanceSeconds(9);
    assertThat(ch.isOpen()).isTrue();

    advanceSeconds(1);

    FullHttpResponse r = ch.readOutbound();
    assertThat(r.status()).isEqualTo(HttpResponseStatus.REQUEST_TIMEOUT);
    r.release();
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void noClockRunsWhileAnExchangeIsInFlightAndTheIdleClockRestartsAfterIt() {
    receiveBytes();
    timeouts.headReceived();
    advanceSeconds(600);
    assertThat(ch.isOpen()).as("no deadline while the upstream answers").isTrue();

    timeouts.awaitingRequest();
    advanceSeconds(59);
    assertThat(ch.isOpen()).isTrue();
    advanceSeconds(1);
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void eachRequestGetsAFreshHeadDeadline() {
    for (int i = 0; i < 3; i++) {
      advanceSeconds(5);
      receiveBytes();
      advanceSeconds(9);
      timeouts.headReceived();
      timeouts.awaitingRequest();
    }
    assertThat(ch.isOpen()).isTrue();
    assertThat((Object) ch.readOutbound()).isNull();
  }
}
