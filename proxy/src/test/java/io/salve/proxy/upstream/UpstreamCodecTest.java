package io.salve.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UpstreamCodecTest {
  private final EmbeddedChannel ch = new EmbeddedChannel(new UpstreamCodec(Upstreams.upstreamDecoderConfig()));
  private final List<Object> got = new ArrayList<>();

  @AfterEach
  void release() {
    got.forEach(ReferenceCountUtil::release);
    ch.finishAndReleaseAll();
  }

  private void request(HttpMethod method) {
    ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/"));
    ByteBuf sent;
    while ((sent = ch.readOutbound()) != null) {
      sent.release();
    }
  }

  private List<Object> respond(String raw) {
    ch.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
    Object o;
    List<Object> now = new ArrayList<>();
    while ((o = ch.readInbound()) != null) {
      got.add(o);
      now.add(o);
    }
    return now;
  }

  @Test
  void responseToHeadHasNoBodyDespiteContentLength() {
    request(HttpMethod.HEAD);
    request(HttpMethod.GET);

    List<Object> objects = respond("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");

    assertThat(objects).hasSize(4);
    assertThat(objects.get(1)).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
    assertThat(((HttpContent) objects.get(3)).content().toString(StandardCharsets.ISO_8859_1)).isEqualTo("ok");
    assertThat(objects).allMatch(x -> ((HttpObject) x).decoderResult().isSuccess());
  }

  @Test
  void chunkedResponseComesThroughAtTheEndOfTheRead() {
    request(HttpMethod.GET);

    List<Object> objects = respond("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n");

    assertThat(objects).hasSize(2);
    assertThat(((HttpResponse) objects.get(0)).decoderResult().isSuccess()).isTrue();
  }

  @Test
  void badFirstChunkFailsTheHead() {
    request(HttpMethod.GET);

    List<Object> objects = respond("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nok\r\n0\r\n\r\n");

    assertThat(objects).hasSize(1);
    assertThat(((HttpResponse) objects.get(0)).decoderResult().isFailure()).isTrue();
  }

  @Test
  void malformedResponsesFailTheirHead() {
    String[] malformed = {
      "HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
      "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
    };
    for (String raw : malformed) {
      EmbeddedChannel c = new EmbeddedChannel(new UpstreamCodec(Upstreams.upstreamDecoderConfig()));
      c.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
      c.releaseOutbound();
      c.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
      Object first = c.readInbound();
      assertThat(first).as(raw).isInstanceOf(HttpResponse.class);
      assertThat(((HttpResponse) first).decoderResult().isFailure()).as(raw).isTrue();
      ReferenceCountUtil.release(first);
      c.finishAndReleaseAll();
    }
  }

  @Test
  void headCutShortByTheCloseIsNotReportedAsMalformed() {
    request(HttpMethod.GET);
    respond("HTTP/1.1 200 OK\r\nContent-Le");

    ch.close();
    Object o;
    while ((o = ch.readInbound()) != null) {
      got.add(o);
    }

    assertThat(got).as("the close alone reports it").isEmpty();
  }
}
