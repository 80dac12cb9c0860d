package io.salve.proxy.forward;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.salve.proxy.grpc.GrpcCall;
import io.salve.proxy.grpc.GrpcStatus;
import io.salve.proxy.util.JsonText;
import java.nio.charset.StandardCharsets;

/**
 * The responses salve makes itself: JSON {@code {"error": reason, "message": ...}} with header
 * {@code x-salve-error: reason}, or for a gRPC call a gRPC answer with the same header.
 */
public final class ErrorResponses {
  public static final AsciiString X_SALVE_ERROR = AsciiString.cached("x-salve-error");
  public static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");
  public static final AsciiString GRPC_MESSAGE = AsciiString.cached("grpc-message");
  public static final AsciiString GRPC_TIMEOUT = AsciiString.cached("grpc-timeout");
  private static final AsciiString APPLICATION_GRPC = AsciiString.cached("application/grpc");

  private ErrorResponses() {}

  /**
   * Salve's answer to a request it refuses before forwarding it: a gRPC answer (by {@link
   * GrpcStatus#forAnswer}) when the request is a gRPC call, else the JSON answer.
   */
  public static FullHttpResponse refusal(
      ByteBufAllocator alloc, HttpHeaders request, HttpResponseStatus status, String reason, String message, boolean close) {
    if (GrpcCall.isGrpc(request.get(HttpHeaderNames.CONTENT_TYPE))) {
      return grpc(alloc, GrpcStatus.forAnswer(status.code(), reason), reason, message, close);
    }
    return of(alloc, status, reason, message, close);
  }

  /**
   * Salve's own answer to a gRPC call: a trailers-only gRPC response (HTTP 200, {@code content-type:
   * application/grpc}, {@code grpc-status}, {@code grpc-message} percent-encoded, no body), with {@code
   * x-salve-error: reason} kept for people reading it. Over HTTP/2 it is one HEADERS frame that ends
   * the stream.
   */
  public static FullHttpResponse grpc(
      ByteBufAllocator alloc, int grpcStatus, String reason, String message, boolean close) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, APPLICATION_GRPC)
        .setInt(GRPC_STATUS, grpcStatus)
        .set(GRPC_MESSAGE, GrpcStatus.encodeMessage(message))
        .setInt(HttpHeaderNames.CONTENT_LENGTH, 0)
        .set(X_SALVE_ERROR, reason);
    if (close) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    return response;
  }

  /**
   * @param reason a stable machine-readable reason such as {@code upstream_timeout}
   * @param message a human explanation; must not contain secrets or stack traces
   * @param close whether the connection closes after this response
   */
  public static FullHttpResponse of(
      ByteBufAllocator alloc, HttpResponseStatus status, String reason, String message, boolean close) {
    StringBuilder sb = new StringBuilder(64 + message.length()).append("{\"error\":");
    JsonText.appendString(sb, reason).append(",\"message\":");
    String json = JsonText.appendString(sb, message).append("}\n").toString();
    ByteBuf body = alloc.buffer(json.length());
    body.writeCharSequence(json, StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
        .set(X_SALVE_ERROR, reason);
    if (close) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    return response;
  }
}
