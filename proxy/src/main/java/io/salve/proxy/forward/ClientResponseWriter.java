package io.salve.proxy.forward;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.salve.proxy.codec.FieldNames;
import io.salve.proxy.grpc.GrpcStatus;

/**
 * Writes the answer to the client: informational heads, the final head re-framed for the client, its
 * content, or salve's own error answer. It keeps what the access record needs (status, bytes out)
 * and whether the client connection must close after the answer.
 */
final class ClientResponseWriter {
  private final ClientSide client;
  private final RequestFacts facts;
  private final ListenerContext listener;
  private final String upstream;
  private int status;
  private int grpcStatus = GrpcStatus.NONE;
  /** A gRPC trailers-only head, written together with its end as one message. */
  private HttpResponse heldHead;
  private long bytesOut;
  private boolean closeClient;

  ClientResponseWriter(ClientSide client, RequestFacts facts, ListenerContext listener, String upstream) {
    this.client = client;
    this.facts = facts;
    this.listener = listener;
    this.upstream = upstream;
  }

  /** Passes a 1xx head on (hop-by-hop fields stripped); its end follows as {@link #informationalEnd}. */
  void informational(HttpResponse response) {
    HopByHop.strip(response.headers());
    client.write(response);
  }

  /** The end of an informational response: flushed with its head; anything else in it is dropped. */
  void informationalEnd(HttpContent content) {
    if (content instanceof LastHttpContent) {
      client.writeAndFlush(content);
    } else {
      content.release();
    }
  }

  /**
   * Passes the final head on, re-framed for the client (hop-by-hop fields were already stripped).
   *
   * @param fields the {@link FieldScan} of its headers
   */
  void head(HttpResponse response, int fields, boolean requestRead, int attempts) {
    status = response.status().code();
    if (facts.grpc() != null) {
      grpcStatus = GrpcStatus.parse(response.headers().get(ErrorResponses.GRPC_STATUS)); // a trailers-only answer
    }
    closeClient |=
        ResponseFraming.prepare(
            response, facts, requestRead, listener.draining(), upstream, attempts, (fields & FieldNames.X_SALVE) != 0);
    if (grpcStatus != GrpcStatus.NONE) {
      // Over HTTP/2 a trailers-only answer must be one HEADERS frame that ends the stream: a head and
      // then an empty end would be headers, then an empty DATA frame, which gRPC clients refuse.
      heldHead = response;
      return;
    }
    client.write(response);
  }

  /**
   * Passes a part of the final response's content on; ownership passes here.
   *
   * @return the write of the last part (the caller closes after it if {@link #closeClient()}), or null
   *     for other parts
   */
  ChannelFuture content(HttpContent content) {
    bytesOut += content.content().readableBytes();
    if (facts.grpc() != null && content instanceof LastHttpContent last && grpcStatus == GrpcStatus.NONE) {
      // Read before the write, which releases the message: the status of a call that sent messages.
      grpcStatus = GrpcStatus.parse(last.trailingHeaders().get(ErrorResponses.GRPC_STATUS));
    }
    if (heldHead != null) {
      HttpResponse head = heldHead;
      heldHead = null;
      if (content instanceof LastHttpContent last && !content.content().isReadable() && last.trailingHeaders().isEmpty()) {
        content.release();
        return client.writeAndFlush(new DefaultFullHttpResponse(
            head.protocolVersion(), head.status(), Unpooled.EMPTY_BUFFER, head.headers(), EmptyHttpHeaders.INSTANCE));
      }
      client.write(head); // not trailers-only after all: a body follows the status
    }
    ChannelFuture written = client.writeAndFlush(content);
    return content instanceof LastHttpContent ? written : null;
  }

  /**
   * Salve's own answer: JSON with {@code x-salve-error} and {@code x-salve-attempts} (0: the upstream
   * never saw the request), or for a gRPC call a trailers-only gRPC answer with {@code grpcCode} and
   * the same headers; the connection closes after it when the request's body was not read
   * (its rest would be taken for the next request), the client asked, or salve drains.
   *
   * @return the write; the caller closes after it if {@link #closeClient()}
   */
  ChannelFuture local(
      HttpResponseStatus st, String reason, String message, long retryAfterSeconds, boolean requestRead, int attempts,
      int grpcCode) {
    closeClient = (!requestRead && facts.hasBody()) || !facts.clientKeepAlive() || listener.draining();
    FullHttpResponse response;
    if (facts.grpc() != null) {
      grpcStatus = grpcCode;
      response = ErrorResponses.grpc(client.alloc(), grpcCode, reason, message, closeClient);
    } else {
      response = ErrorResponses.of(client.alloc(), st, reason, message, closeClient);
    }
    status = response.status().code();
    response.headers().setInt(ResponseFraming.X_SALVE_ATTEMPTS, attempts);
    if (retryAfterSeconds > 0) {
      response.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
    }
    return client.writeAndFlush(response);
  }

  /** The client went away, or must be cut off mid-response: the connection closes. */
  void clientGone(boolean responseStarted) {
    if (!responseStarted) {
      status = 499;
    }
    closeClient = true;
  }

  /** The connection closes after the answer. */
  void mustClose() {
    closeClient = true;
  }

  /** Closes the client connection once {@code written} completes, if the answer requires it. */
  void closeAfter(ChannelFuture written) {
    if (closeClient) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }

  int status() {
    return status;
  }

  /** @return the grpc-status the client got, or {@link GrpcStatus#NONE} */
  int grpcStatus() {
    return grpcStatus;
  }

  long bytesOut() {
    return bytesOut;
  }

  boolean closeClient() {
    return closeClient;
  }
}
