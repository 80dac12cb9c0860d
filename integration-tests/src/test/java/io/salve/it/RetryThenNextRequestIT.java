package io.salve.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.salve.it.support.SalveProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Regression: a retried request whose body was still unread when its first attempt failed must not
 * leave a read demand behind. Such a stale demand let the next request's body be handed over before
 * its upstream connection existed, and the body was dropped: the upstream waited for it forever (seen
 * in the soak as POSTs timing out after endpoint resets).
 */
class RetryThenNextRequestIT {
  @Test
  void theRequestAfterARetriedOneGetsItsWholeBody() throws Exception {
    AtomicInteger connections = new AtomicInteger();
    try (ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread server = new Thread(() -> serve(upstream, connections), "raw-upstream");
      server.setDaemon(true);
      server.start();
      String yaml =
          """
          admin: { address: 127.0.0.1:0 }
          accessLog: { enabled: false }
          listeners:
            - name: in
              address: 127.0.0.1:0
              routes:
                - match: { pathPrefix: / }
                  upstream: app
                  timeout: 3s
          upstreams:
            app:
              endpoints: [127.0.0.1:%d]
              retry: { maxAttempts: 2, retryOn: [reset], backoff: { initial: 10ms, max: 10ms, jitter: none } }
          """
              .formatted(upstream.getLocalPort());
      try (SalveProcess salve = SalveProcess.start(yaml);
          Socket client = new Socket(InetAddress.getLoopbackAddress(), salve.port("in"))) {
        client.setSoTimeout(10_000);
        OutputStream out = client.getOutputStream();
        BufferedReader in =
            new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.ISO_8859_1));

        // 1. A PUT whose body comes later: its first attempt is reset on the head alone, the retry succeeds.
        out.write("PUT /a HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        awaitConnections(connections, 2);
        out.write("hello".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        assertThat(readResponse(in)).isEqualTo("200 got 5 bytes");

        // 2. The next request on the same client connection, head and body in one write.
        out.write(
            "POST /b HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nworld".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        assertThat(readResponse(in)).as("answer to the request after the retry").isEqualTo("200 got 5 bytes");
      }
    }
  }

  private static void awaitConnections(AtomicInteger connections, int n) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (connections.get() < n && System.nanoTime() < deadline) {
      Thread.sleep(10); // test thread waiting for the raw upstream's accept count
    }
    assertThat(connections.get()).as("upstream connections").isGreaterThanOrEqualTo(n);
  }

  /** @return "STATUS BODY" of one response, read by Content-Length. */
  private static String readResponse(BufferedReader in) throws IOException {
    String status = in.readLine();
    int length = 0;
    String line;
    while ((line = in.readLine()) != null && !line.isEmpty()) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    char[] body = new char[length];
    int read = 0;
    while (read < length) {
      int n = in.read(body, read, length - read);
      if (n < 0) {
        break;
      }
      read += n;
    }
    return status.split(" ")[1] + " " + new String(body, 0, read);
  }

  /**
   * The first connection is reset as soon as a request head arrived. Every later connection answers
   * one request with "got N bytes" after reading its whole Content-Length body, then closes, so each
   * following request needs a fresh upstream connection.
   */
  private static void serve(ServerSocket server, AtomicInteger connections) {
    while (!server.isClosed()) {
      try (Socket s = server.accept()) {
        int n = connections.incrementAndGet();
        InputStream in = s.getInputStream();
        int length = readHead(in);
        if (n == 1) {
          s.setSoLinger(true, 0);
          continue; // closing with linger 0: a reset
        }
        byte[] body = in.readNBytes(length);
        String text = "got " + body.length + " bytes";
        s.getOutputStream()
            .write(
                ("HTTP/1.1 200 OK\r\nContent-Length: " + text.length() + "\r\nConnection: close\r\n\r\n" + text)
                    .getBytes(StandardCharsets.ISO_8859_1));
      } catch (IOException e) {
        // the test ended or the client went away
      }
    }
  }

  private static int readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      head.append((char) c);
      if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
        break;
      }
    }
    for (String line : head.toString().split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        return Integer.parseInt(line.substring(15).trim());
      }
    }
    return 0;
  }
}
