package io.salve.proxy.forward;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.salve.config.ConfigException;
import io.salve.config.ConfigLoader;
import io.salve.config.SalveConfig;
import io.salve.proxy.upstream.Upstream;
import io.salve.proxy.upstream.Upstreams;
import io.salve.proxy.util.RandomSource;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A listener under test with no sockets: client connections are {@link EmbeddedChannel}s running the
 * real {@link ClientRequestReceiver}, the upstream is a {@link FakeUpstreamSide}, and time is a fake
 * ticker advanced together with the channels' scheduled tasks.
 */
final class ExchangeHarness implements AutoCloseable {
  final AtomicLong nanos = new AtomicLong(5_000_000_000L);
  final FakeUpstreamSide upstreamSide = new FakeUpstreamSide();
  final List<ExchangeRecord> records = new ArrayList<>();
  final List<String> attemptOutcomes = new ArrayList<>();
  final List<String> rejections = new ArrayList<>();
  final List<String> retries = new ArrayList<>();
  final Upstreams upstreams;
  final ListenerSlot slot = new ListenerSlot();
  private final List<Client> clients = new ArrayList<>();
  boolean draining;

  ExchangeHarness(String yaml) {
    this(yaml, AdmissionControl.ALLOW_ALL);
  }

  ExchangeHarness(String yaml, AdmissionControl admission) {
    SalveConfig config;
    try {
      config = new ConfigLoader(Map.of()).parse(yaml, "test.yaml");
    } catch (ConfigException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    upstreams = new Upstreams(config, 1);
    ExchangeObserver observer =
        new ExchangeObserver() {
          @Override
          public void onRequestStarted(String listener) {}

          @Override
          public void onRequestEnded(ExchangeRecord record) {
            records.add(record);
          }

          @Override
          public void onAttemptEnded(String upstream, String endpoint, String outcome) {
            attemptOutcomes.add(outcome);
          }

          @Override
          public void onRejected(String upstream, String reason) {
            rejections.add(reason);
          }

          @Override
          public void onRetry(String upstream, String reason) {
            retries.add(reason);
          }
        };
    slot.set(
        new ListenerContext(
            config.listeners().get(0), upstreams, observer, () -> draining, admission, nanos::get,
            Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC), RandomSource.of(new Random(42)),
            upstreamSide));
  }

  Upstream upstream(String name) {
    return upstreams.get(name);
  }

  /** A new client connection, active and waiting for its first request. */
  Client connect() {
    return add(new Client(slot, false));
  }

  /** A new HTTP/2 stream as salve's stream pipeline ends: the receiver alone, for one request. */
  Client openStream() {
    return add(new Client(slot, true));
  }

  private Client add(Client c) {
    clients.add(c);
    return c;
  }

  /** Time passes: the fake ticker and every client's scheduled tasks. */
  void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
    for (Client c : clients) {
      c.channel.advanceTimeBy(d.toNanos(), TimeUnit.NANOSECONDS);
      c.channel.runScheduledPendingTasks();
    }
  }

  ExchangeRecord lastRecord() {
    return records.get(records.size() - 1);
  }

  @Override
  public void close() {
    for (Client c : clients) {
      c.channel.finishAndReleaseAll();
      c.received.forEach(ReferenceCountUtil::release);
    }
    upstreamSide.releaseAll();
    upstreams.close();
  }

  static HttpRequest get(String uri) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
    r.headers().set(HttpHeaderNames.HOST, "app.test");
    return r;
  }

  static HttpRequest put(String uri, int contentLength) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, uri);
    r.headers().set(HttpHeaderNames.HOST, "app.test").setInt(HttpHeaderNames.CONTENT_LENGTH, contentLength);
    return r;
  }

  static HttpContent part(String text) {
    return new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
  }

  static HttpContent lastPart(String text) {
    return new DefaultLastHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
  }

  /** One client connection and what it received. */
  static final class Client {
    final EmbeddedChannel channel;
    final List<HttpObject> received = new ArrayList<>();
    /** Reads the receiver asked of the connection (its demand for the next request message). */
    int reads;

    Client(ListenerSlot slot, boolean stream) {
      ClientTimeoutsHandler timeouts = stream ? null : new ClientTimeoutsHandler(600_000, 600_000);
      channel =
          new EmbeddedChannel(
              DefaultChannelId.newInstance(),
              false,
              false,
              new ChannelOutboundHandlerAdapter() {
                @Override
                public void read(ChannelHandlerContext ctx) {
                  reads++;
                  ctx.read();
                }
              },
              stream ? new io.netty.channel.ChannelHandlerAdapter() {} : timeouts,
              stream ? ClientRequestReceiver.forStream(slot) : new ClientRequestReceiver(slot, timeouts));
      channel.config().setAutoRead(false); // as salve's client connections: reads are demanded
      try {
        channel.register();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      channel.freezeTime();
    }

    /**
     * The client sends a request part (head or body). A head without a body is followed by its empty
     * last part, as the HTTP/1.1 decoder hands them on.
     */
    void send(HttpObject msg) {
      channel.writeInbound(msg);
      if (msg instanceof HttpRequest) {
        HttpRequest r = (HttpRequest) msg;
        if (channel.isOpen() && !r.headers().contains(HttpHeaderNames.CONTENT_LENGTH) && !r.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
          channel.writeInbound(io.netty.handler.codec.http.LastHttpContent.EMPTY_LAST_CONTENT);
        }
      }
    }

    /** @return the response head the client received, collecting everything written to it. */
    HttpResponse head() {
      drain();
      for (HttpObject o : received) {
        if (o instanceof HttpResponse && ((HttpResponse) o).status().code() >= 200) {
          return (HttpResponse) o;
        }
      }
      throw new AssertionError("no final response head; received " + received);
    }

    /** @return the body bytes the client received, as text. */
    String body() {
      drain();
      StringBuilder sb = new StringBuilder();
      for (HttpObject o : received) {
        if (o instanceof HttpContent) {
          sb.append(((HttpContent) o).content().toString(StandardCharsets.UTF_8));
        }
      }
      return sb.toString();
    }

    /** @return whether the response is complete (its last part written). */
    boolean responseComplete() {
      drain();
      return received.stream().anyMatch(o -> o instanceof FullHttpResponse || o instanceof io.netty.handler.codec.http.LastHttpContent);
    }

    void drain() {
      for (Object o; (o = channel.readOutbound()) != null; ) {
        received.add((HttpObject) o);
      }
    }

    /** Forgets what was received (between pipelined requests). */
    void clear() {
      drain();
      received.forEach(ReferenceCountUtil::release);
      received.clear();
    }

    boolean isOpen() {
      return channel.isOpen();
    }

    /** The client side stops (false) or resumes (true) taking response bytes. */
    void setWritable(boolean writable) {
      channel.unsafe().outboundBuffer().setUserDefinedWritability(1, writable);
      channel.runPendingTasks();
    }
  }
}
