package io.salve.proxy.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The stream side's conversions, through Netty's real codec, as a stream child channel has them. */
class Http2StreamAdapterTest {
  private final EmbeddedChannel ch =
      new EmbeddedChannel(new Http2StreamFrameToHttpObjectCodec(true), new Http2StreamAdapter());

  @AfterEach
  void finish() {
    ch.finishAndReleaseAll();
  }

  private static Http2Headers request(String method) {
    return new DefaultHttp2Headers().method(method).path("/orders?id=1").scheme("http").authority("api.example:80");
  }

  @Test
  void aRequestEndedByItsHeaders_isAHeadThenAnEmptyEnd_withHostFromAuthority_andNoExtensionFields() {
    ch.writeInbound(new DefaultHttp2HeadersFrame(request("GET").add("x-http2-scheme", "evil"), true));

    HttpRequest head = ch.readInbound();
    LastHttpContent end = ch.readInbound();
    assertThat(head).isNotInstanceOf(FullHttpRequest.class);
    assertThat(head.uri()).isEqualTo("/orders?id=1");
    assertThat(head.headers().getAll(HttpHeaderNames.HOST)).containsExactly("api.example:80");
    assertThat(head.headers().names()).noneMatch(n -> n.toLowerCase().startsWith("x-http2-"));
    assertThat(head.headers().contains(HttpHeaderNames.CONTENT_LENGTH)).as("a GET states no body length").isFalse();
    assertThat(end.content().readableBytes()).isZero();
    end.release();
  }

  @Test
  void aHostThatRepeatsTheAuthority_isKeptOnce_aDifferentOneResetsTheStream() {
    ch.writeInbound(new DefaultHttp2HeadersFrame(request("GET").add("host", "api.example:80"), true));
    HttpRequest same = ch.readInbound();
    ((LastHttpContent) ch.readInbound()).release();
    assertThat(same.headers().getAll(HttpHeaderNames.HOST)).containsExactly("api.example:80");

    ch.writeInbound(new DefaultHttp2HeadersFrame(request("GET").add("host", "other.example"), true));
    assertThat((Object) ch.readInbound()).isNull();
    assertThat(((Http2ResetFrame) ch.readOutbound()).errorCode()).isEqualTo(1L); // PROTOCOL_ERROR
  }

  @Test
  void aBodyWithoutLength_isChunkedForAnHttp1Upstream() {
    ch.writeInbound(new DefaultHttp2HeadersFrame(request("POST"), false));
    ch.writeInbound(new DefaultHttp2DataFrame(Unpooled.copiedBuffer(new byte[] {1, 2, 3}), true));

    HttpRequest head = ch.readInbound();
    LastHttpContent end = ch.readInbound();
    assertThat(head.headers().get(HttpHeaderNames.TRANSFER_ENCODING)).isEqualTo("chunked");
    assertThat(end.content().readableBytes()).isEqualTo(3);
    end.release();
  }

  @Test
  void salvesOwnErrorAnswer_losesItsConnectionField_onTheWayOut() {
    ch.writeOutbound(ErrorResponses.of(ByteBufAllocator.DEFAULT, HttpResponseStatus.BAD_GATEWAY, "upstream_reset", "reset", true));

    Http2HeadersFrame headers = ch.readOutbound();
    Http2DataFrame data = ch.readOutbound();
    assertThat(headers.headers().status().toString()).isEqualTo("502");
    assertThat(headers.headers().contains("connection")).isFalse();
    assertThat(headers.headers().get("x-salve-error").toString()).isEqualTo("upstream_reset");
    assertThat(data.isEndStream()).isTrue();
    data.release();
  }

  @Test
  void aRelayedHeadWithHopByHopFraming_isSentWithoutTransferEncoding() {
    DefaultHttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    res.headers().set(HttpHeaderNames.TRANSFER_ENCODING, "chunked").set(HttpHeaderNames.CONNECTION, "close")
        .set("keep-alive", "timeout=5");
    ch.writeOutbound(res);

    Http2HeadersFrame headers = ch.readOutbound();
    assertThat(headers.headers().names()).extracting(CharSequence::toString)
        .doesNotContain("transfer-encoding", "connection", "keep-alive");
    assertThat(headers.isEndStream()).isFalse();
  }

  @Test
  void anInformationalHead_isSentAsOneHeadersFrame_andItsEndIsDropped() {
    ch.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
    ch.writeOutbound(LastHttpContent.EMPTY_LAST_CONTENT);

    Http2HeadersFrame headers = ch.readOutbound();
    assertThat(headers.headers().status().toString()).isEqualTo("100");
    assertThat(headers.isEndStream()).isFalse();
    assertThat((Object) ch.readOutbound()).isNull();
  }

  @Test
  void aRequestWithoutMethod_resetsTheStreamWithProtocolError() {
    // The codec takes a HEADERS frame without :method (nor :status) for trailers: a body part before any head.
    ch.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().path("/").authority("a"), true));

    Http2ResetFrame reset = ch.readOutbound();
    assertThat(reset.errorCode()).isEqualTo(1L); // PROTOCOL_ERROR
    assertThat((Object) ch.readInbound()).isNull();
  }
}
