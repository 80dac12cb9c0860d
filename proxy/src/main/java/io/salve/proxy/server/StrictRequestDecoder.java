package io.salve.proxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.salve.config.ListenerLimits;
import io.salve.proxy.codec.HeadScanner;
import io.salve.proxy.codec.PassThroughFraming;
import io.salve.proxy.codec.ReceivedHead;
import io.salve.proxy.codec.StrictHeads;
import java.util.List;

/**
 * Netty's request decoder at its strictest, plus what Netty cannot be configured to do, and a pass-through
 * path beside it for plain requests.
 *
 * <ul>
 *   <li>A request whose head arrived whole and whose body, if any, has one Content-Length is decoded
 *       here ({@link PassThroughFraming}): its fields stay the received bytes ({@link
 *       io.salve.proxy.codec.IndexedHeaders}), which the upstream encoder writes as they came. Every
 *       other request goes through Netty's decoder, whose checks below answer it.
 *   <li>Netty: CRLF line endings only, validated field names and values, no duplicate
 *       Content-Length, and RFC 9112 transfer-encoding rules: Transfer-Encoding with Content-Length,
 *       or in an HTTP/1.0 request, fails the message (§6.1), as does a coding list whose final coding
 *       is not {@code chunked} (§6.3). Limits: the listener's request-line length (414) and header
 *       size (431). A chunk-size line, extensions included, is read with the request-line parser, so
 *       it is limited to the same length (default 8 KiB); longer fails the body (400).
 *   <li>Every head is first checked byte by byte ({@link HeadScanner}): Netty would otherwise fold
 *       obs-fold lines, split the request line on any whitespace and skip stray bytes before it.
 *   <li>A chunked request's head is held until its first body part is decoded and the read that
 *       brought it ends, with any further body parts of that read (except with {@code Expect:
 *       100-continue}, whose body only follows a 100): a framing error in what the client sent with
 *       the head fails the whole request before any of it is forwarded. The wait for the first body
 *       part counts against the request-head timeout; a later error fails the body mid-stream and
 *       the receiver aborts the upstream request.
 *   <li>The channel does not auto-read, and the flow-control handler after this one treats a read
 *       that completed without a message as satisfied. A head that arrives over several reads would
 *       then wait forever, so a read that produced no message asks for the next read itself and is
 *       not reported as complete downstream.
 * </ul>
 *
 * A failed message reaches the request receiver as a request with a failed decoder result; the
 * receiver answers it and closes the connection, and everything after it is discarded.
 */
public final class StrictRequestDecoder extends HttpRequestDecoder {
  private static final int MAX_CHUNK_SIZE = 64 * 1024;
  private final StrictHeads heads =
      new StrictHeads(
          HeadScanner.Kind.REQUEST,
          m -> HttpUtil.isTransferEncodingChunked(m) && !HttpUtil.is100ContinueExpected(m));

  private final PassThroughFraming framing;

  public StrictRequestDecoder(ListenerLimits limits) {
    super(
        new HttpDecoderConfig()
            .setMaxInitialLineLength(limits.maxInitialLineLength())
            .setMaxHeaderSize(limits.maxHeaderSize())
            .setMaxChunkSize(MAX_CHUNK_SIZE)
            .setStrictLineParsing(true)
            .setAllowDuplicateContentLengths(false)
            .setUseRfc9112TransferEncoding(true)
            .setValidateHeaders(true));
    framing = new PassThroughFraming(heads, Math.min(limits.maxInitialLineLength(), limits.maxHeaderSize()), MAX_CHUNK_SIZE);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    if (heads.discardIfBroken(in)) {
      return;
    }
    String problem = heads.scan(in);
    if (problem != null) {
      out.add(heads.fail(in, new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/bad-request"), problem));
      return;
    }
    if (passThrough(in, out)) {
      return;
    }
    int before = in.readerIndex();
    int start = out.size();
    super.decode(ctx, in, out);
    framing.delegated(out, start);
    heads.consumed(in.readerIndex() - before);
    heads.afterDecode(out, start);
  }

  private boolean passThrough(ByteBuf in, List<Object> out) {
    if (framing.inBody()) {
      framing.continueBody(in, out);
      return true;
    }
    ReceivedHead head = framing.head(in);
    HttpRequest request = head == null ? null : head.request();
    if (request == null) {
      return false;
    }
    framing.start(in, head, request, Math.max(0, head.contentLength()), out);
    return true;
  }

  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    if (heads.discardIfBroken(in)) {
      return;
    }
    super.decodeLast(ctx, in, out);
    heads.dropHeld(); // the client left before the body began: nothing of it is forwarded
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
    heads.dropHeld();
    super.handlerRemoved0(ctx);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    if (!heads.endBatch(ctx, true) && !ctx.channel().config().isAutoRead()) {
      // Nothing for the handlers after us yet: read on, and don't tell them a read completed, or the
      // flow-control handler would count the receiver's outstanding read() as satisfied.
      discardSomeReadBytes();
      ctx.read();
      return;
    }
    super.channelReadComplete(ctx);
  }
}
