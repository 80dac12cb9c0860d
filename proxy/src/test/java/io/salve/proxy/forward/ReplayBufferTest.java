package io.salve.proxy.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReplayBufferTest {
  private final EmbeddedChannel upstream = new EmbeddedChannel();
  private final List<HttpContent> read = new ArrayList<>();

  @AfterEach
  void releaseEverything() {
    upstream.finishAndReleaseAll();
    read.stream().filter(c -> c.refCnt() > 0).forEach(c -> c.release(c.refCnt()));
  }

  /** A body part as the client connection delivers it: owned by the exchange until released. */
  private HttpContent part(String text, boolean last) {
    ByteBuf buf = Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    HttpContent c = last ? new DefaultLastHttpContent(buf) : new DefaultHttpContent(buf);
    read.add(c);
    return c;
  }

  /** @return what was written to the upstream channel, as text, releasing it. */
  private String written() {
    upstream.flushOutbound();
    StringBuilder sb = new StringBuilder();
    for (Object o; (o = upstream.readOutbound()) != null; ) {
      HttpContent c = (HttpContent) o;
      sb.append(c.content().toString(StandardCharsets.US_ASCII));
      c.release();
    }
    return sb.toString();
  }

  @Test
  void keepsPartsWithinTheLimitForEveryRetry() {
    ReplayBuffer replay = new ReplayBuffer(8);
    HttpContent a = part("abcd", false);
    replay.keep(a);
    a.release(); // sent to the first attempt

    replay.replayTo(upstream);
    assertThat(written()).isEqualTo("abcd");
    replay.replayTo(upstream);
    assertThat(written()).isEqualTo("abcd");
    assertThat(replay.replayable()).isTrue();
    replay.release();
    assertThat(a.refCnt()).isZero();
  }

  @Test
  void aPartPastTheLimitWhileConnectedLetsGoOfEverything() {
    ReplayBuffer replay = new ReplayBuffer(8);
    HttpContent a = part("abcd", false);
    HttpContent b = part("efghi", false);
    replay.keep(a);
    a.release();
    replay.keep(b);
    b.release();

    assertThat(replay.replayable()).isFalse();
    assertThat(a.refCnt()).isZero();
    assertThat(b.refCnt()).isZero();
  }

  @Test
  void partsReadWhileARetryWaitsAreHeldPastTheLimitAndSentOnce() {
    ReplayBuffer replay = new ReplayBuffer(8);
    HttpContent a = part("abcd", false);
    replay.keep(a);
    a.release(); // sent to the attempt that then failed
    HttpContent b = part("efghi", false);
    HttpContent c = part("jk", true);
    replay.hold(b); // arrived during the backoff: no attempt is connected
    b.release();
    replay.hold(c);
    c.release();

    assertThat(replay.replayable()).as("past the limit: the next attempt is the last").isFalse();
    replay.replayTo(upstream);
    assertThat(written()).as("the retry sends the whole body, in order").isEqualTo("abcdefghijk");
    replay.replayTo(upstream);
    assertThat(written()).as("nothing is kept for a later attempt").isEmpty();
    replay.release();
    assertThat(a.refCnt()).isZero();
    assertThat(b.refCnt()).isZero();
    assertThat(c.refCnt()).isZero();
  }

  @Test
  void partsHeldWithinTheLimitStayReplayable() {
    ReplayBuffer replay = new ReplayBuffer(8);
    HttpContent a = part("abc", false);
    replay.hold(a);
    a.release();

    assertThat(replay.replayable()).isTrue();
    replay.replayTo(upstream);
    assertThat(written()).isEqualTo("abc");
    replay.replayTo(upstream);
    assertThat(written()).isEqualTo("abc");
    replay.release();
    assertThat(a.refCnt()).isZero();
  }
}
