package io.salve.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.util.ReferenceCountUtil;
import io.salve.config.ListenerLimits;
import io.salve.proxy.codec.IndexedHeaders;
import io.salve.proxy.codec.MalformedMessageException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The decoder as the listener pipeline uses it: no auto-read, a flow-control handler after it. */
class StrictRequestDecoderTest {
  private static final ListenerLimits LIMITS =
      new ListenerLimits(8192, 32768, 100, -1, Duration.ofSeconds(10), Duration.ofSeconds(60));

  /** Asks for one message at a time, like the request receiver, and keeps what it gets. */
  private static final class Receiver extends ChannelInboundHandlerAdapter {
    final List<Object> got = new ArrayList<>();

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      got.add(msg);
    }
  }

  private final Receiver receiver = new Receiver();
  private final EmbeddedChannel ch = new EmbeddedChannel();

  StrictRequestDecoderTest() {
    ch.config().setAutoRead(false);
    ch.pipeline().addLast(new StrictRequestDecoder(LIMITS), new FlowControlHandler(), receiver);
  }

  @AfterEach
  void release() {
    receiver.got.forEach(ReferenceCountUtil::release);
    ch.finishAndReleaseAll();
  }

  private void send(String s) {
    ch.writeInbound(Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1));
  }

  private void readNext() {
    ch.read();
    ch.runPendingTasks();
  }

  @Test
  void headArrivingOverSeveralReadsIsDelivered() {
    String head = "GET /" + "a".repeat(5000) + " HTTP/1.1\r\nHost: a\r\n\r\n";
    send(head.substring(0, 2048));
    send(head.substring(2048, 4096));
    send(head.substring(4096));

    assertThat(receiver.got).hasSize(1);
    HttpRequest req = (HttpRequest) receiver.got.get(0);
    assertThat(req.decoderResult().isSuccess()).isTrue();
    assertThat(req.uri()).hasSize(5001);
  }

  @Test
  void chunkedHeadWaitsForItsFirstBodyPart() {
    send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
    assertThat(receiver.got).as("head held until its body starts").isEmpty();

    send("5\r\nhel");

    assertThat(receiver.got).hasSize(1);
    assertThat(((HttpRequest) receiver.got.get(0)).decoderResult().isSuccess()).isTrue();
    readNext();
    assertThat(receiver.got).hasSize(2);
    assertThat(((HttpContent) receiver.got.get(1)).content().toString(StandardCharsets.ISO_8859_1)).isEqualTo("hel");
  }

  @Test
  void chunkedHeadWithExpectContinueIsNotHeld() {
    send("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n");

    assertThat(receiver.got).hasSize(1);
  }

  @Test
  void badFirstChunkFailsTheHeadAndNothingElseComesThrough() {
    send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0xZZ\r\nhello\r\n0\r\n\r\n");

    assertThat(receiver.got).hasSize(1);
    HttpRequest req = (HttpRequest) receiver.got.get(0);
    assertThat(req.decoderResult().cause()).isInstanceOf(MalformedMessageException.class);
    readNext();
    send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    readNext();
    assertThat(receiver.got).as("everything after a failure is discarded").hasSize(1);
  }

  @Test
  void badDelimiterAfterValidDataInTheSameReadFailsTheHead() {
    send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n");

    assertThat(receiver.got).hasSize(1);
    assertThat(((HttpRequest) receiver.got.get(0)).decoderResult().isFailure()).isTrue();
  }

  @Test
  void completeChunkedRequestPassesWhole() {
    send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\n\r\n");
    readNext();
    readNext();

    assertThat(receiver.got).hasSize(3);
    assertThat(receiver.got.get(2)).isInstanceOf(LastHttpContent.class);
  }

  @Test
  void obsFoldFailsTheHead() {
    send("GET / HTTP/1.1\r\nHost: a\r\nX-A: a\r\n b\r\n\r\n");

    assertThat(receiver.got).hasSize(1);
    assertThat(((HttpRequest) receiver.got.get(0)).decoderResult().cause())
        .isInstanceOf(MalformedMessageException.class)
        .hasMessageContaining("obs-fold");
  }

  @Test
  void pipelinedRequestsAreScannedEachInTurn() {
    send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\nX-B : b\r\n\r\n");
    readNext();
    readNext();

    assertThat(receiver.got).hasSize(3);
    assertThat(((HttpRequest) receiver.got.get(0)).uri()).isEqualTo("/1");
    assertThat(((HttpRequest) receiver.got.get(2)).decoderResult().cause()).hasMessageContaining("colon");
  }

  @Test
  void plainRequestsKeepTheirFieldsAsReceivedBytes() {
    send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello");
    readNext();
    send(" world");
    readNext();
    readNext();
    readNext();

    assertThat(receiver.got).hasSize(5);
    HttpRequest get = (HttpRequest) receiver.got.get(0);
    assertThat(get.headers()).isInstanceOf(IndexedHeaders.class);
    assertThat(receiver.got.get(1)).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
    HttpRequest post = (HttpRequest) receiver.got.get(2);
    assertThat(post.uri()).isEqualTo("/2");
    assertThat(post.headers().get("content-length")).isEqualTo("11");
    assertThat(((HttpContent) receiver.got.get(3)).content().toString(StandardCharsets.ISO_8859_1)).isEqualTo("hello");
    assertThat(receiver.got.get(3)).isNotInstanceOf(LastHttpContent.class);
    assertThat(((LastHttpContent) receiver.got.get(4)).content().toString(StandardCharsets.ISO_8859_1)).isEqualTo(" world");
  }

  @Test
  void chunkedAndSplitHeadsStillGoThroughNettysDecoder() {
    send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /next HTTP/1.1\r\nHo");
    send("st: a\r\n\r\nGET /last HTTP/1.1\r\nHost: a\r\n\r\n");
    for (int i = 0; i < 5; i++) {
      readNext();
    }

    assertThat(receiver.got).hasSize(6);
    assertThat(((HttpRequest) receiver.got.get(0)).headers()).isNotInstanceOf(IndexedHeaders.class);
    assertThat(((HttpRequest) receiver.got.get(2)).uri()).isEqualTo("/next");
    assertThat(((HttpRequest) receiver.got.get(2)).headers()).as("its head spanned two reads").isNotInstanceOf(IndexedHeaders.class);
    assertThat(((HttpRequest) receiver.got.get(4)).uri()).isEqualTo("/last");
    assertThat(((HttpRequest) receiver.got.get(4)).headers()).isInstanceOf(IndexedHeaders.class);
  }

  @Test
  void framingThatIsNotPlainIsAnsweredByNettysChecks() {
    send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab");

    assertThat(receiver.got).hasSize(1);
    assertThat(((HttpRequest) receiver.got.get(0)).decoderResult().cause()).hasMessageContaining("Multiple Content-Length");
  }
}
