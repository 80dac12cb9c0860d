package io.salve.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.salve.config.ConfigException;
import io.salve.config.ConfigLoader;
import io.salve.config.SalveConfig;
import io.salve.proxy.forward.AdmissionControl;
import io.salve.proxy.forward.ExchangeObserver;
import io.salve.proxy.server.SalveServer;
import io.salve.proxy.transport.Transports;
import io.salve.proxy.upstream.Upstreams;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs requests through salve's own forwarding path on loopback before the real listeners open, so
 * that the JIT has compiled that path when the first real request arrives (docs/tuning.md, "The first
 * seconds"). A listener on {@code 127.0.0.1:0} forwards to an origin on {@code 127.0.0.1:0} that
 * answers 1 KiB, both on salve's own event loops; a few client threads send pipelined keep-alive GETs
 * through it until the time is up. The exchanges reach no observer and no admission control: no metric, access
 * log line or load signal counts them. A warm-up that fails is logged and skipped; it never stops the
 * start.
 */
final class WarmUp {
  private static final Logger LOG = LoggerFactory.getLogger(WarmUp.class);
  private static final String LISTENER = "salve-warm-up";
  /** Requests each client pipelines on its connection. */
  private static final int DEPTH = 16;
  private static final byte[] REQUEST =
      "GET /warm-up HTTP/1.1\r\nHost: warm-up\r\nUser-Agent: salve-warm-up\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private WarmUp() {}

  /**
   * @param workers the event loops the real listeners will use
   * @param eventLoops how many there are (the upstream pools are split over them)
   * @param duration how long to send requests
   * @return the requests answered
   */
  static long run(EventLoopGroup workers, int eventLoops, Duration duration) {
    long start = System.nanoTime();
    Channel origin = null;
    Upstreams upstreams = null;
    SalveServer server = null;
    try {
      origin = startOrigin(workers);
      SalveConfig config = config(((InetSocketAddress) origin.localAddress()).getPort());
      upstreams = new Upstreams(config, eventLoops);
      server = new SalveServer(config, workers, upstreams, ExchangeObserver.NONE, AdmissionControl.ALLOW_ALL);
      server.start();
      long answered = drive(server.boundAddresses().get(LISTENER), duration, Math.max(4, 2 * eventLoops));
      LOG.info("warm-up: {} requests through the forwarding path in {} ms", answered, (System.nanoTime() - start) / 1_000_000);
      return answered;
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.warn("warm-up skipped: {}", e.toString());
      return 0;
    } finally {
      if (server != null) {
        server.close();
      }
      if (upstreams != null) {
        upstreams.close();
      }
      if (origin != null) {
        origin.close().syncUninterruptibly();
      }
    }
  }

  private static SalveConfig config(int originPort) throws ConfigException {
    String yaml =
        """
        admin: { address: 127.0.0.1:0 }
        accessLog: { enabled: false }
        listeners:
          - name: %s
            address: 127.0.0.1:0
            routes:
              - match: { pathPrefix: / }
                upstream: warm-up
        upstreams:
          warm-up:
            endpoints: [127.0.0.1:%d]
        """
            .formatted(LISTENER, originPort);
    return new ConfigLoader(Map.of()).parse(yaml, "warm-up");
  }

  private static Channel startOrigin(EventLoopGroup group) throws InterruptedException {
    return new ServerBootstrap()
        .group(group)
        .channel(Transports.serverChannel())
        .childHandler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpServerCodec()).addLast(new KiloByteAnswer());
              }
            })
        .bind("127.0.0.1", 0)
        .sync()
        .channel();
  }

  /** Answers every request with 1 KiB once the request has ended. */
  private static final class KiloByteAnswer extends SimpleChannelInboundHandler<HttpObject> {
    private static final ByteBuf BODY = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(new byte[1024]));

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (msg instanceof LastHttpContent) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, BODY.duplicate());
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 1024);
        ctx.writeAndFlush(response);
      }
    }
  }

  /**
   * Sends keep-alive GETs on {@code clients} blocking connections (plain threads, not event loops), each
   * with {@link #DEPTH} requests pipelined, so that the cold path sees a load like many clients'.
   */
  private static long drive(InetSocketAddress target, Duration duration, int clients) throws InterruptedException {
    long deadline = System.nanoTime() + duration.toNanos();
    AtomicLong answered = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      Thread t = new Thread(() -> answered.addAndGet(client(target, deadline)), "salve-warm-up-" + i);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join(duration.toMillis() + 5_000);
    }
    return answered.get();
  }

  private static long client(InetSocketAddress target, long deadline) {
    byte[] batch = new byte[REQUEST.length * DEPTH];
    for (int i = 0; i < DEPTH; i++) {
      System.arraycopy(REQUEST, 0, batch, i * REQUEST.length, REQUEST.length);
    }
    long answered = 0;
    try (Socket socket = new Socket(target.getAddress(), target.getPort())) {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      ResponseReader responses = new ResponseReader(socket.getInputStream());
      while (System.nanoTime() - deadline < 0) {
        out.write(batch);
        for (int i = 0; i < DEPTH; i++) {
          if (!responses.next()) {
            return answered;
          }
          answered++;
        }
      }
    } catch (IOException e) {
      LOG.debug("warm-up client stopped: {}", e.toString());
    }
    return answered;
  }

  /** Reads responses with a Content-Length body from a stream, in bulk. */
  private static final class ResponseReader {
    private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(StandardCharsets.US_ASCII);
    private final InputStream in;
    private final byte[] buf = new byte[64 * 1024];
    private int start;
    private int end;

    ResponseReader(InputStream in) {
      this.in = in;
    }

    /** @return whether a 200 response was read whole */
    boolean next() throws IOException {
      int headEnd;
      while ((headEnd = headEnd()) < 0) {
        if (!fill()) {
          return false;
        }
      }
      boolean ok = headEnd - start > 12 && buf[start + 9] == '2' && buf[start + 10] == '0' && buf[start + 11] == '0';
      long length = contentLength(headEnd);
      start = headEnd;
      if (length < 0) {
        return false;
      }
      while (end - start < length) {
        length -= end - start;
        start = end;
        if (!fill()) {
          return false;
        }
      }
      start += (int) length;
      return ok;
    }

    /** @return the index just past the head's empty line, or -1 */
    private int headEnd() {
      for (int i = start; i + 3 < end; i++) {
        if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
          return i + 4;
        }
      }
      return -1;
    }

    private long contentLength(int headEnd) {
      for (int i = start; i < headEnd - CONTENT_LENGTH.length; i++) {
        if (buf[i] == '\n' && startsWithIgnoreCase(i + 1)) {
          long v = 0;
          int j = i + 1 + CONTENT_LENGTH.length;
          while (buf[j] == ' ') {
            j++;
          }
          for (; buf[j] >= '0' && buf[j] <= '9'; j++) {
            v = v * 10 + buf[j] - '0';
          }
          return v;
        }
      }
      return -1;
    }

    private boolean startsWithIgnoreCase(int at) {
      for (int k = 0; k < CONTENT_LENGTH.length; k++) {
        if ((buf[at + k] | 0x20) != CONTENT_LENGTH[k] && buf[at + k] != CONTENT_LENGTH[k]) {
          return false;
        }
      }
      return true;
    }

    /** Reads more, after moving what is unread to the front; @return false at end of stream */
    private boolean fill() throws IOException {
      if (start > 0) {
        System.arraycopy(buf, start, buf, 0, end - start);
        end -= start;
        start = 0;
      }
      if (end == buf.length) {
        throw new IOException("a warm-up response head longer than " + buf.length + " bytes");
      }
      int n = in.read(buf, end, buf.length - end);
      if (n < 0) {
        return false;
      }
      end += n;
      return true;
    }
  }
}
