package io.salve.proxy.forward;

import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.salve.proxy.upstream.Endpoint;
import io.salve.proxy.upstream.Upstream;
import io.salve.proxy.upstream.UpstreamStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The upstream side of an exchange under test: each {@link #open} follows the script (a stream at
 * once, a stream later, or a failure) and the test plays the upstream through the opened streams.
 */
final class FakeUpstreamSide implements UpstreamSide {
  private final Deque<Object> script = new ArrayDeque<>();
  final List<Stream> opened = new ArrayList<>();
  private record Pending(Promise<Stream> promise, Stream stream) {}

  private final List<Pending> pending = new ArrayList<>();
  /** Streams start unwritable (the request direction's backpressure engaged). */
  boolean startUnwritable;

  /** The next open fails with {@code cause}. */
  FakeUpstreamSide failNext(Throwable cause) {
    script.add(cause);
    return this;
  }

  /** The next open completes only when {@link #completePending} is called. */
  FakeUpstreamSide delayNext() {
    script.add("delay");
    return this;
  }

  void completePending() {
    List<Pending> now = new ArrayList<>(pending);
    pending.clear();
    now.forEach(p -> p.promise().setSuccess(p.stream()));
  }

  @Override
  public Future<? extends UpstreamStream> open(Upstream upstream, Endpoint endpoint, EventLoop loop, UpstreamStream.Listener listener) {
    Object next = script.poll();
    if (next instanceof Throwable) {
      return loop.newFailedFuture((Throwable) next);
    }
    Stream s = new Stream(endpoint, listener);
    s.writable = !startUnwritable;
    opened.add(s);
    if ("delay".equals(next)) {
      Promise<Stream> p = loop.newPromise();
      pending.add(new Pending(p, s));
      return p;
    }
    return loop.newSucceededFuture(s);
  }

  Stream last() {
    return opened.get(opened.size() - 1);
  }

  void releaseAll() {
    opened.forEach(Stream::releaseWritten);
  }

  /** One stream as the exchange sees it, recording what it is told. */
  static final class Stream implements UpstreamStream {
    final Endpoint endpoint;
    final UpstreamStream.Listener listener;
    final List<HttpObject> written = new ArrayList<>();
    boolean writable = true;
    boolean autoRead = true;
    int releases;
    boolean reusable;

    Stream(Endpoint endpoint, UpstreamStream.Listener listener) {
      this.endpoint = endpoint;
      this.listener = listener;
    }

    @Override
    public Endpoint endpoint() {
      return endpoint;
    }

    @Override
    public boolean isReused() {
      return false;
    }

    @Override
    public void write(HttpObject msg) {
      written.add(msg);
    }

    @Override
    public void writeAndFlush(HttpObject msg) {
      written.add(msg);
    }

    @Override
    public void flush() {}

    @Override
    public boolean isWritable() {
      return writable;
    }

    @Override
    public void setAutoRead(boolean autoRead) {
      this.autoRead = autoRead;
    }

    @Override
    public void touch() {}

    @Override
    public void release(boolean reusable) {
      releases++;
      this.reusable = reusable;
    }

    boolean released() {
      return releases > 0;
    }

    HttpRequest head() {
      return (HttpRequest) written.get(0);
    }

    /** @return the body written so far, as text. */
    String body() {
      StringBuilder sb = new StringBuilder();
      for (HttpObject o : written) {
        if (o instanceof HttpContent) {
          sb.append(((HttpContent) o).content().toString(StandardCharsets.UTF_8));
        }
      }
      return sb.toString();
    }

    void becomeWritable() {
      writable = true;
      listener.onUpstreamWritabilityChanged(true);
    }

    /** The upstream answers with a whole response, in two parts as the HTTP/1.1 decoder hands them on. */
    void respond(int status, String body) {
      HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
      r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length());
      send(r);
      send(new DefaultLastHttpContent(Unpooled.copiedBuffer(body, StandardCharsets.UTF_8)));
    }

    /** The upstream sends a response part; as with a pooled connection, a released stream drops it. */
    void send(HttpObject part) {
      if (released()) {
        ReferenceCountUtil.release(part);
        return;
      }
      listener.onResponseObject(part);
    }

    void releaseWritten() {
      written.forEach(ReferenceCountUtil::release);
      written.clear();
    }
  }
}
