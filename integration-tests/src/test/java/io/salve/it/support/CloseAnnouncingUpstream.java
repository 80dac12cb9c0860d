package io.salve.it.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream that answers every bodyless request with {@code Connection: close} and then keeps
 * the socket open, as a slow-closing server may. A client that honours the close option (RFC 9112
 * §9.6) sends nothing more on that connection; every request sent after the response on the same
 * connection is counted as a violation and never answered.
 */
public final class CloseAnnouncingUpstream implements AutoCloseable {
  private static final byte[] RESPONSE =
      "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"
          .getBytes(StandardCharsets.ISO_8859_1);

  private final ServerSocket server;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger answered = new AtomicInteger();
  private final AtomicInteger violations = new AtomicInteger();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  public CloseAnnouncingUpstream() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::acceptLoop, "close-announcer");
    t.setDaemon(true);
    t.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  public int connections() {
    return connections.get();
  }

  public int answered() {
    return answered.get();
  }

  /** @return requests received on a connection after its {@code Connection: close} response. */
  public int violations() {
    return violations.get();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        connections.incrementAndGet();
        sockets.add(s);
        Thread t = new Thread(() -> serve(s), "close-announcer-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try {
      InputStream in = s.getInputStream();
      if (!readHead(in)) {
        return;
      }
      s.getOutputStream().write(RESPONSE);
      s.getOutputStream().flush();
      answered.incrementAndGet();
      // Keep the connection open; anything more that arrives is a request that should not exist.
      while (readHead(in)) {
        violations.incrementAndGet();
      }
    } catch (IOException e) {
      // the proxy closed or reset the connection: that is what it should do
    }
  }

  /** @return whether a full request head (up to the empty line) arrived before end of stream. */
  private static boolean readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      head.write(b);
      byte[] h = head.toByteArray();
      int n = h.length;
      if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
  }
}
