package io.salve.proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.salve.proxy.codec.HeadScanner;
import io.salve.proxy.codec.MalformedMessageException;
import io.salve.proxy.codec.PassThroughFraming;
import io.salve.proxy.codec.ReceivedHead;
import io.salve.proxy.codec.StrictHeads;
import java.util.List;
import java.util.Locale;
import java.util.Queue;

/**
 * The upstream response decoder: as strict as the client side (http-safety.md §7). A response the
 * exchange must not pass on arrives as a response with a failed decoder result, which the exchange
 * answers with 502 {@code upstream_protocol_error} after closing the connection.
 *
 * <ul>
 *   <li>A final response whose head arrived whole and whose body length is known without chunks is
 *       decoded here ({@link PassThroughFraming}), its fields kept as the received bytes; every
 *       other response goes through Netty's decoder, configured as below.
 *   <li>Netty, configured by {@link Upstreams#upstreamDecoderConfig}: CRLF only, validated fields,
 *       one Content-Length, RFC 9112 transfer-encoding rules (no Transfer-Encoding with
 *       Content-Length or in HTTP/1.0).
 *   <li>Every head is checked byte by byte first ({@link HeadScanner}); obs-fold, whitespace before a
 *       colon and control characters fail it instead of being repaired.
 *   <li>A transfer coding other than a single {@code chunked} fails the response: salve removes
 *       Transfer-Encoding on the way down, so it could not pass such a body on faithfully.
 *   <li>A chunked head, and the body parts decoded after it, are held until the end of the read that
 *       brought them, so that a framing error arriving with the head fails the whole response (502)
 *       instead of cutting it off after its head went to the client. Never longer: streamed
 *       responses keep their latency.
 *   <li>A head cut short by the upstream closing is dropped rather than reported as malformed: the
 *       close itself then reports it, as {@code upstream_reset}, the same as a close at any other
 *       point before the response was complete.
 * </ul>
 *
 * Like Netty's {@code HttpClientCodec}, it learns the request methods from the encoder so a response
 * to HEAD is known to have no body.
 */
final class StrictResponseDecoder extends HttpResponseDecoder {
  private final Queue<HttpMethod> methods;
  private final StrictHeads heads = new StrictHeads(HeadScanner.Kind.RESPONSE, this::isChunked);
  private final PassThroughFraming framing;
  /** The last head whose transfer codings were checked, and whether it is chunked: one lookup, not two. */
  private HttpMessage checkedHead;
  private boolean checkedChunked;

  /** @param methods the methods of the requests sent, oldest first, filled by the encoder */
  StrictResponseDecoder(HttpDecoderConfig config, Queue<HttpMethod> methods) {
    super(config);
    this.methods = methods;
    this.framing = new PassThroughFraming(
        heads, Math.min(config.getMaxInitialLineLength(), config.getMaxHeaderSize()), config.getMaxChunkSize());
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    if (heads.discardIfBroken(in)) {
      return;
    }
    String problem = heads.scan(in);
    if (problem != null) {
      out.add(heads.fail(in, new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_GATEWAY), problem));
      return;
    }
    if (passThrough(in, out)) {
      return;
    }
    int before = in.readerIndex();
    int start = out.size();
    super.decode(ctx, in, out);
    framing.delegated(out, start);
    for (int i = start; i < out.size(); i++) {
      refuseOtherTransferCodings(out.get(i));
    }
    heads.consumed(in.readerIndex() - before);
    heads.afterDecode(out, start);
    checkedHead = null;
  }

  /**
   * Decodes a final response here when its head arrived whole and its body has a known length: one
   * Content-Length, or none at all because it answers HEAD or is 204 or 304. Informational responses,
   * chunked and close-delimited bodies go to Netty's decoder.
   */
  private boolean passThrough(ByteBuf in, List<Object> out) {
    if (framing.inBody()) {
      framing.continueBody(in, out);
      return true;
    }
    ReceivedHead head = framing.head(in);
    int code = head == null ? 0 : head.statusCode();
    if (code < 200) {
      return false;
    }
    boolean bodyless = code == 204 || code == 304 || HttpMethod.HEAD.equals(methods.peek());
    if (!bodyless && head.contentLength() < 0) {
      return false;
    }
    HttpResponse response = head.response();
    if (response == null) {
      return false;
    }
    methods.poll();
    framing.start(in, head, response, bodyless ? 0 : head.contentLength(), out);
    return true;
  }

  private void refuseOtherTransferCodings(Object o) {
    if (!(o instanceof HttpResponse) || ((HttpResponse) o).decoderResult().isFailure()) {
      return;
    }
    HttpResponse r = (HttpResponse) o;
    List<String> te = r.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
    checkedHead = r;
    checkedChunked = !te.isEmpty();
    if (te.isEmpty()) {
      return;
    }
    String codings = String.join(",", te).replace(" ", "").replace("\t", "").toLowerCase(Locale.ROOT);
    if (!codings.equals("chunked")) {
      r.setDecoderResult(
          DecoderResult.failure(new MalformedMessageException("unsupported transfer coding in response: " + codings)));
    }
  }

  private boolean isChunked(HttpMessage m) {
    return m == checkedHead ? checkedChunked : HttpUtil.isTransferEncodingChunked(m);
  }

  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    if (heads.discardIfBroken(in)) {
      return;
    }
    int start = out.size();
    super.decodeLast(ctx, in, out);
    for (int i = start; i < out.size(); i++) {
      Object o = out.get(i);
      if (o instanceof HttpObject
          && ((HttpObject) o).decoderResult().cause() instanceof PrematureChannelClosureException) {
        ReferenceCountUtil.release(o);
        out.remove(i--);
      }
    }
    heads.dropHeld(); // the upstream closed in the middle of it: the close reports it
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
    heads.dropHeld();
    super.handlerRemoved0(ctx);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    heads.endBatch(ctx, false);
    super.channelReadComplete(ctx);
  }

  @Override
  protected boolean isContentAlwaysEmpty(HttpMessage msg) {
    if (msg instanceof HttpResponse && ((HttpResponse) msg).status().codeClass() != HttpStatusClass.INFORMATIONAL) {
      if (HttpMethod.HEAD.equals(methods.poll())) {
        return true;
      }
    }
    return super.isContentAlwaysEmpty(msg);
  }
}
