package io.salve.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.salve.proxy.codec.IndexedHeaders;
import io.salve.proxy.codec.ReceivedHead;
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

  @Test
  void plainResponsesAreDecodedWithTheirFieldsAsReceivedBytes() {
    request(HttpMethod.GET);
    request(HttpMethod.GET);
    request(HttpMethod.GET);

    List<Object> objects =
        respond("HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nServer: o\r\nContent-Length: 5\r\n\r\nhel");
    objects.addAll(respond("loHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));

    assertThat(objects).hasSize(9);
    assertThat(((HttpResponse) objects.get(0)).headers()).isInstanceOf(IndexedHeaders.class);
    assertThat(objects.get(1)).as("204 has no body").isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
    assertThat(((HttpResponse) objects.get(2)).headers().get("server")).isEqualTo("o");
    assertThat(((HttpContent) objects.get(3)).content().toString(StandardCharsets.ISO_8859_1)).isEqualTo("hel");
    assertThat(((LastHttpContent) objects.get(4)).content().toString(StandardCharsets.ISO_8859_1)).isEqualTo("lo");
    assertThat(((HttpResponse) objects.get(5)).status().code()).as("1xx through Netty's decoder").isEqualTo(100);
    assertThat(((HttpResponse) objects.get(5)).headers()).isNotInstanceOf(IndexedHeaders.class);
    assertThat(((HttpResponse) objects.get(7)).status().code()).isEqualTo(200);
    assertThat(objects).allMatch(x -> ((HttpObject) x).decoderResult().isSuccess());
  }

  @Test
  void closeDelimitedResponsesGoThroughNettysDecoder() {
    request(HttpMethod.GET);

    List<Object> objects = respond("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end");

    assertThat(((HttpResponse) objects.get(0)).headers()).isNotInstanceOf(IndexedHeaders.class);
    assertThat(((HttpContent) objects.get(1)).content().toString(StandardCharsets.ISO_8859_1)).isEqualTo("until the end");
  }

  @Test
  void aReceivedRequestIsSentAsItsBytesWithTheEditsSplicedIn() {
    String received = "GET /x HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\nAccept:  */*\r\nUser-Agent: t/1\r\n\r\n";
    HttpRequest req = ReceivedHead.split(received.getBytes(StandardCharsets.ISO_8859_1)).request();
    req.headers().remove("connection").add("X-Forwarded-For", "10.1.2.3");
    req.setUri("/y");

    ch.writeOutbound(req, LastHttpContent.EMPTY_LAST_CONTENT);
    StringBuilder sent = new StringBuilder();
    ByteBuf b;
    while ((b = ch.readOutbound()) != null) {
      sent.append(b.toString(StandardCharsets.ISO_8859_1));
      b.release();
    }

    assertThat(sent.toString())
        .isEqualTo("GET /y HTTP/1.1\r\nHost: a\r\nAccept:  */*\r\nUser-Agent: t/1\r\nX-Forwarded-For: 10.1.2.3\r\n\r\n");
  }
}
