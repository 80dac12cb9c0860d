package io.salve.proxy.forward;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fits an HTTP/2 stream's {@code HttpObject}s to what the receiver and the exchange expect of an
 * HTTP/1.1 connection, between Netty's {@code Http2StreamFrameToHttpObjectCodec} and the receiver.
 *
 * <ul>
 *   <li>A request that ended with its HEADERS frame arrives as a {@link FullHttpRequest}; it goes on as
 *       a head and an empty last part, as the HTTP/1.1 decoder would hand it over (a GET or HEAD
 *       without the {@code Content-Length: 0} the conversion adds).
 *   <li>The codec's {@code x-http2-*} extension fields (stream id, scheme, path) are dropped: they are
 *       not the client's and must not reach an upstream. {@code :authority} became {@code Host}; a
 *       {@code host} field that repeats it is kept once (RFC 9113 §8.3.1); a different one is a
 *       stream error (Netty's conversion refuses it).
 *   <li>A 1xx head (and the empty end that follows it) is written as one full response: the codec
 *       sends informational HEADERS only for those.
 *   <li>A request the codec cannot convert (no {@code :path}, a Host unlike {@code :authority}), one
 *       whose first frame is no head (the codec takes HEADERS without {@code :method} for trailers)
 *       and any other stream error reset the stream with PROTOCOL_ERROR, never the connection.
 * </ul>
 */
public final class Http2StreamAdapter extends ChannelDuplexHandler {
  private static final Logger LOG = LoggerFactory.getLogger(Http2StreamAdapter.class);
  private static final String EXTENSION_PREFIX = "x-http2-";
  private boolean informationalEnd;
  private boolean headSeen;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!headSeen && !(msg instanceof HttpRequest)) {
      ReferenceCountUtil.release(msg);
      reset(ctx, "a stream that starts without a request head");
      return;
    }
    if (msg instanceof HttpRequest) {
      headSeen = true;
    }
    if (msg instanceof FullHttpRequest full) {
      HttpRequest head = new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers());
      normalize(head.headers());
      if (!full.content().isReadable() && (full.method() == HttpMethod.GET || full.method() == HttpMethod.HEAD)) {
        // The conversion states the empty body as Content-Length: 0; an HTTP/1.1 GET says nothing.
        head.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
      }
      LastHttpContent end = new DefaultLastHttpContent(full.content().retain());
      full.release();
      ctx.fireChannelRead(head);
      ctx.fireChannelRead(end);
      return;
    }
    if (msg instanceof HttpRequest req) {
      normalize(req.headers());
    }
    ctx.fireChannelRead(msg);
  }

  private static void normalize(HttpHeaders headers) {
    List<String> extensions = null;
    for (var it = headers.iteratorCharSequence(); it.hasNext(); ) {
      CharSequence name = it.next().getKey();
      if (name.length() > EXTENSION_PREFIX.length() && name.toString().regionMatches(true, 0, EXTENSION_PREFIX, 0, EXTENSION_PREFIX.length())) {
        if (extensions == null) {
          extensions = new java.util.ArrayList<>(3);
        }
        extensions.add(name.toString());
      }
    }
    if (extensions != null) {
      extensions.forEach(headers::remove);
    }
    List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
    if (hosts.size() == 2 && hosts.get(0).equalsIgnoreCase(hosts.get(1))) {
      headers.set(HttpHeaderNames.HOST, hosts.get(0));
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse res && !(msg instanceof FullHttpResponse)
        && res.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
      informationalEnd = true;
      ctx.write(new DefaultFullHttpResponse(res.protocolVersion(), res.status(), Unpooled.EMPTY_BUFFER,
          res.headers(), new DefaultHttpHeaders()), promise);
      return;
    }
    if (informationalEnd && msg instanceof LastHttpContent) {
      informationalEnd = false;
      ReferenceCountUtil.release(msg);
      promise.setSuccess();
      return;
    }
    ctx.write(msg, promise);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof DecoderException || cause instanceof Http2Exception || cause instanceof Http2FrameStreamException) {
      LOG.debug("malformed HTTP/2 request on {}", ctx.channel(), cause);
      reset(ctx, "a malformed request");
      return;
    }
    ctx.fireExceptionCaught(cause);
  }

  private static void reset(ChannelHandlerContext ctx, String why) {
    LOG.debug("resetting {}: {}", ctx.channel(), why);
    ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR)).addListener(ChannelFutureListener.CLOSE);
  }
}
