package io.salve.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProtocolDetectorTest {
  private static final String PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  private final List<String> http1 = new ArrayList<>();
  private final List<String> h2 = new ArrayList<>();
  private int switches;
  private EmbeddedChannel ch;

  /** A stand-in for the next handler: HTTP/1.1's decoder until a switch, HTTP/2's codec after one. */
  private final class Sink extends ChannelInboundHandlerAdapter {
    private final List<String> into;

    Sink(List<String> into) {
      this.into = into;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf b = (ByteBuf) msg;
      into.add(b.toString(StandardCharsets.US_ASCII));
      b.release();
    }
  }

  private EmbeddedChannel channel(boolean http1Allowed) {
    ch = new EmbeddedChannel();
    ch.pipeline().addLast("detect", new ProtocolDetector(http1Allowed, at -> {
      switches++;
      at.pipeline().remove("decoder");
      at.pipeline().addAfter(at.name(), "h2", new Sink(h2));
    }));
    ch.pipeline().addLast("decoder", new Sink(http1));
    return ch;
  }

  @AfterEach
  void finish() {
    ch.finishAndReleaseAll();
  }

  private void write(String s) {
    ch.writeInbound(Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII));
  }

  @Test
  void aPrefaceSplitOverReads_switchesOnce_andTheCodecGetsEveryByteInOrder() {
    channel(true);
    write("PRI * HTT");
    write("P/2.0\r\n\r\nSM");
    assertThat(switches).isZero();
    assertThat(h2).isEmpty();
    assertThat(http1).isEmpty();

    write("\r\n\r\n\0\0\0\4"); // the preface's rest and the start of a SETTINGS frame, in one read

    assertThat(switches).isEqualTo(1);
    assertThat(String.join("", h2)).isEqualTo(PREFACE + "\0\0\0\4");
    assertThat(http1).isEmpty();
    assertThat(ch.pipeline().get(ProtocolDetector.class)).isNull();
    write("more");
    assertThat(h2).last().isEqualTo("more");
  }

  @Test
  void http1_goesToTheDecoderUntouched_evenWhenItStartsLikeThePreface() {
    channel(true);
    write("P");
    write("RI-not-quite / HTTP/1.1\r\n");

    assertThat(switches).isZero();
    assertThat(String.join("", http1)).isEqualTo("PRI-not-quite / HTTP/1.1\r\n");
    assertThat(ch.pipeline().get(ProtocolDetector.class)).isNull();
  }

  @Test
  void anOrdinaryRequest_isDecidedAtItsFirstByte() {
    channel(true);
    write("GET / HTTP/1.1\r\nHost: a\r\n\r\n");

    assertThat(http1).containsExactly("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  }

  @Test
  void anH2cOnlyListener_refusesHttp1With505AndCloses() {
    channel(false);
    write("GET / HTTP/1.1\r\nHost: a\r\n\r\n");

    ByteBuf out = ch.readOutbound();
    String answer = out.toString(StandardCharsets.US_ASCII);
    out.release();
    assertThat(answer).startsWith("HTTP/1.1 505 ").contains("x-salve-error: http1_not_served", "connection: close");
    assertThat(http1).isEmpty();
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void anH2cOnlyListener_stillSwitchesOnThePreface() {
    channel(false);
    write(PREFACE);

    assertThat(switches).isEqualTo(1);
    assertThat(h2).containsExactly(PREFACE);
  }
}
