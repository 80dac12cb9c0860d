package io.salve.proxy.forward;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.salve.proxy.grpc.GrpcTimeout;
import io.salve.proxy.upstream.UpstreamStream;
import io.salve.proxy.util.Ticker;
import java.time.Duration;

/**
 * Sends one request up, once per attempt: the head, the body kept for a replay, then the body as it
 * arrives. It is the request direction's backpressure: the next body part is asked of the client
 * only while the upstream stream is writable.
 */
final class UpstreamRequestWriter {
  private final HttpRequest request;
  private final ClientSide client;
  private final ReplayBuffer replay;
  private final long maxBody;
  private long grpcDeadline = -1;
  private long grpcPerTry = -1;
  private Ticker ticker;
  private long bytesIn;
  private boolean requestRead;
  private boolean requestSent;

  /**
   * @param replay keeps the body for a retry, or null when no retry can replay one
   * @param maxBody the most body bytes the route accepts, or negative for no limit
   */
  UpstreamRequestWriter(HttpRequest request, ClientSide client, ReplayBuffer replay, long maxBody) {
    this.request = request;
    this.client = client;
    this.replay = replay;
    this.maxBody = maxBody;
  }

  /**
   * Makes each attempt of a gRPC call tell the upstream in {@code grpc-timeout} the time it has: what
   * is left of the call's deadline, or the per-try timeout if that is shorter.
   *
   * @param budgetNanos the call's time budget from {@code startNanos}, or -1 for none
   * @param perTry the per-try timeout, or null for none
   */
  void grpcDeadline(long budgetNanos, Duration perTry, long startNanos, Ticker ticker) {
    this.grpcDeadline = budgetNanos < 0 ? -1 : startNanos + budgetNanos;
    this.grpcPerTry = perTry == null ? -1 : perTry.toNanos();
    this.ticker = grpcDeadline >= 0 || grpcPerTry >= 0 ? ticker : null;
  }

  /** Starts an attempt on a fresh stream: the head and whatever body a former attempt already sent. */
  void start(UpstreamStream stream) {
    if (ticker != null) {
      // The time already spent (earlier attempts, backoff) is taken off what the upstream may use.
      long left = grpcDeadline >= 0 ? grpcDeadline - ticker.nanos() : Long.MAX_VALUE;
      request.headers().set(ErrorResponses.GRPC_TIMEOUT, GrpcTimeout.format(grpcPerTry >= 0 ? Math.min(left, grpcPerTry) : left));
    }
    stream.write(request); // a head without content: writing it again for a retry is safe
    if (replay != null) {
      replay.replayTo(stream);
    }
    requestSent = requestRead;
    if (!requestRead && stream.isWritable()) {
      // Often delivers an already-decoded last part synchronously, so head and end share one flush.
      client.readMore();
    }
    stream.flush();
  }

  /**
   * Counts a body part the client sent, before the exchange decides what to do with it.
   *
   * @return false when the body now exceeds the limit
   */
  boolean received(HttpContent content) {
    bytesIn += content.content().readableBytes();
    if (content instanceof LastHttpContent) {
      requestRead = true;
    }
    return maxBody < 0 || bytesIn <= maxBody;
  }

  /**
   * Sends a counted body part up; ownership passes here.
   *
   * @param stream the current attempt's stream, or null while a retry waits or connects
   */
  void forward(HttpContent content, UpstreamStream stream) {
    if (stream == null) {
      // A read asked for by the failed attempt brought this. The retry must send it, past
      // maxBufferedBody too, or the upstream would get the body with a hole in it. (Without a replay
      // buffer no retry follows a connected attempt.)
      if (replay != null) {
        replay.hold(content);
      }
      content.release();
      return;
    }
    if (replay != null) {
      replay.keep(content);
    }
    boolean last = content instanceof LastHttpContent;
    stream.touch(); // before the write: a write that fails at once ends the attempt and clears the stream
    stream.writeAndFlush(content);
    if (last) {
      requestSent = true;
    } else if (stream.isWritable()) {
      client.readMore();
    }
  }

  /** The upstream stream can take more: ask the client for the next body part, if any is due. */
  void onUpstreamWritable() {
    if (!requestRead) {
      client.readMore();
    }
  }

  /** @return whether the request's last part was received from the client. */
  boolean requestRead() {
    return requestRead;
  }

  /** @return whether the whole request went to the current attempt's stream (it may then be reused). */
  boolean requestSent() {
    return requestSent;
  }

  /** @return body bytes received from the client so far. */
  long bytesIn() {
    return bytesIn;
  }

  long maxBody() {
    return maxBody;
  }
}
