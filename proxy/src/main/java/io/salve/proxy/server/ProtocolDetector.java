package io.salve.proxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * Tells cleartext HTTP/2 with prior knowledge from HTTP/1.1 by the first bytes of a connection: the
 * 24-byte connection preface ({@code PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n}, RFC 9113 §3.4) or anything
 * else. It sits before the HTTP/1.1 decoder and consumes nothing: bytes are held until they either
 * complete the preface or stop matching it (often at the first byte: no HTTP/1.1 method starts with
 * {@code P} followed by {@code RI }), then it removes itself and the held bytes go on to whatever
 * handlers now follow, in the same order. A preface split over several reads waits for its rest.
 *
 * <ul>
 *   <li>Preface: {@code switchToH2} replaces the HTTP/1.1 handlers with HTTP/2 ones after this one,
 *       and the bytes go to the HTTP/2 codec (preface included: the codec checks it itself).
 *   <li>Anything else on a listener that speaks HTTP/1.1: the bytes go to the HTTP/1.1 decoder.
 *   <li>Anything else on an h2c-only listener: a plain {@code 505} answer, then the connection closes.
 * </ul>
 */
final class ProtocolDetector extends ByteToMessageDecoder {
  private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();
  private static final byte[] HTTP1_REFUSED = refusal();

  private final boolean http1;
  private final Consumer<ChannelHandlerContext> switchToH2;

  /**
   * @param http1 whether HTTP/1.1 is served when the preface does not come
   * @param switchToH2 installs the HTTP/2 handlers after the detector's context (and removes the
   *     HTTP/1.1 ones)
   */
  ProtocolDetector(boolean http1, Consumer<ChannelHandlerContext> switchToH2) {
    this.http1 = http1;
    this.switchToH2 = switchToH2;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
    boolean prefix = ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), n);
    if (prefix && n < PREFACE.readableBytes()) {
      return; // wait: the read that completes or breaks the preface decides
    }
    if (prefix) {
      switchToH2.accept(ctx);
    } else if (!http1) {
      in.skipBytes(in.readableBytes());
      ctx.writeAndFlush(Unpooled.wrappedBuffer(HTTP1_REFUSED)).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    ctx.pipeline().remove(this); // hands the held bytes, untouched, to the handler now after us
  }

  private static byte[] refusal() {
    String body = "{\"error\":\"http1_not_served\",\"message\":\"this listener speaks HTTP/2 (h2c with prior knowledge) only\"}\n";
    return ("HTTP/1.1 505 HTTP Version Not Supported\r\n"
            + "content-type: application/json\r\n"
            + "content-length: " + body.length() + "\r\n"
            + "x-salve-error: http1_not_served\r\n"
            + "connection: close\r\n\r\n" + body)
        .getBytes(StandardCharsets.US_ASCII);
  }
}
