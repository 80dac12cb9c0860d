package io.salve.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.salve.it.support.H2Client;
import io.salve.it.support.SalveProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Flow control end to end with real peers: a client stream that stops reading holds back the HTTP/1.1
 * upstream it is fed from (salve stops reading the upstream, which then cannot write), and an upstream
 * that stops reading holds back the client's stream (salve stops opening the stream's window). Both
 * then finish whole once the slow side reads again. salve runs with 64 MiB of direct memory, so
 * without backpressure these transfers could not even fit.
 */
class Http2FlowControlIT {
  private static final long BIG = 64L << 20;
  /** Measured: about 4 MiB stop in kernel buffers between the peers; far less than BIG. */
  private static final long HELD_BACK = 12L << 20;
  private static final String YAML =
      """
      listeners:
        - name: edge
          address: 127.0.0.1:0
          routes:
            - match: { pathPrefix: / }
              upstream: raw
              timeout: 60s
      upstreams:
        raw:
          endpoints: [127.0.0.1:%d]
      """;

  private SalveProcess salve;
  private ServerSocket server;

  @AfterEach
  void stop() throws Exception {
    if (salve != null) {
      salve.close();
    }
    server.close();
  }

  @Test
  void aClientThatStopsReading_holdsBackTheUpstream_thenGetsEveryByte() throws Exception {
    server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    AtomicLong written = new AtomicLong();
    Thread upstream = new Thread(() -> {
      try (Socket s = server.accept()) {
        readHead(s.getInputStream());
        OutputStream out = s.getOutputStream();
        out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + BIG + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        byte[] chunk = new byte[64 * 1024];
        while (written.get() < BIG) {
          out.write(chunk);
          written.addAndGet(chunk.length);
        }
      } catch (IOException e) {
        // the test ended
      }
    });
    upstream.start();
    salve = SalveProcess.start(YAML.formatted(server.getLocalPort()));
    int port = salve.port("edge");
    try (H2Client c = new H2Client(port)) {
      H2Client.Stream s = c.open();
      Http2StreamChannel ch = s.channel().get(5, TimeUnit.SECONDS);
      ch.config().setAutoRead(false); // the client reads nothing: its window is never opened again
      ch.writeAndFlush(new DefaultHttp2HeadersFrame(H2Client.headers("GET", "/download", port), true));

      await().atMost(Duration.ofSeconds(10)).until(() -> written.get() > 0);
      long settled = settle(written);
      assertThat(settled).as("bytes the upstream got out while the client did not read").isLessThan(HELD_BACK);

      ch.config().setAutoRead(true);
      H2Client.Response r = s.response().get(60, TimeUnit.SECONDS);
      assertThat(r.status()).isEqualTo(200);
      assertThat((long) r.body().length).isEqualTo(BIG);
    }
  }

  @Test
  void anUpstreamThatStopsReading_holdsBackTheClientStream_thenGetsEveryByte() throws Exception {
    server = new ServerSocket();
    server.setReceiveBufferSize(16 * 1024);
    server.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    CountDownLatch readOn = new CountDownLatch(1);
    AtomicLong received = new AtomicLong();
    Thread upstream = new Thread(() -> {
      try (Socket s = server.accept()) {
        InputStream in = s.getInputStream();
        readHead(in);
        readOn.await(); // stop reading after the head
        byte[] buf = new byte[64 * 1024];
        int n;
        while (received.get() < BIG && (n = in.read(buf)) > 0) {
          received.addAndGet(n);
        }
        s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        Thread.sleep(500);
      } catch (IOException | InterruptedException e) {
        // the test ended
      }
    });
    upstream.start();
    salve = SalveProcess.start(YAML.formatted(server.getLocalPort()));
    int port = salve.port("edge");
    try (H2Client c = new H2Client(port)) {
      H2Client.Stream s = c.open();
      Http2StreamChannel ch = s.channel().get(5, TimeUnit.SECONDS);
      ch.writeAndFlush(new DefaultHttp2HeadersFrame(
          H2Client.headers("POST", "/upload", port).add("content-length", Long.toString(BIG)), false));
      AtomicLong sent = new AtomicLong();
      byte[] chunk = new byte[16 * 1024];
      // Writes only while the stream's send window (salve's receive window) has room.
      Runnable pump = new Runnable() {
        @Override
        public void run() {
          while (ch.isWritable() && sent.get() < BIG) {
            boolean last = sent.addAndGet(chunk.length) >= BIG;
            ch.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(chunk), last));
          }
          ch.flush();
          if (sent.get() < BIG) {
            ch.eventLoop().schedule(this, 5, TimeUnit.MILLISECONDS);
          }
        }
      };
      ch.eventLoop().execute(pump);

      await().atMost(Duration.ofSeconds(10)).until(() -> sent.get() > 0);
      long settled = settle(sent);
      assertThat(settled).as("bytes the client could send while the upstream did not read").isLessThan(HELD_BACK);

      readOn.countDown();
      H2Client.Response r = s.response().get(60, TimeUnit.SECONDS);
      assertThat(r.status()).isEqualTo(200);
      assertThat(received.get()).isEqualTo(BIG);
    }
  }

  /** @return the counter once it has not moved for a second (bounded at 20 s). */
  private static long settle(AtomicLong counter) throws InterruptedException {
    long last = -1;
    for (int i = 0; i < 20 && counter.get() != last; i++) {
      last = counter.get();
      Thread.sleep(1000);
    }
    return counter.get();
  }

  private static void readHead(InputStream in) throws IOException {
    int matched = 0;
    int b;
    while (matched < 4 && (b = in.read()) >= 0) {
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
  }
}
