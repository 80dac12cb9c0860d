package io.salve.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on 127.0.0.1 in front of a target port that counts the connections it accepts, so a
 * test can tell how many upstream connections a proxy opened (WireMock cannot). Bytes are piped
 * both ways on plain threads; a half-close on one side is passed on to the other.
 */
public final class CountingTcpRelay implements AutoCloseable {
  private final ServerSocket server;
  private final int targetPort;
  private final AtomicInteger accepted = new AtomicInteger();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  public CountingTcpRelay(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::acceptLoop, "relay-accept-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  /** @return connections accepted so far. */
  public int accepted() {
    return accepted.get();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        accepted.incrementAndGet();
        Socket target = new Socket();
        target.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5000);
        client.setTcpNoDelay(true);
        target.setTcpNoDelay(true);
        sockets.add(client);
        sockets.add(target);
        pipe(client, target);
        pipe(target, client);
      } catch (IOException e) {
        // the server socket was closed, or the target refused: the client sees its connection close
      }
    }
  }

  private void pipe(Socket from, Socket to) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[64 * 1024];
              try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buf)) != -1) {
                  out.write(buf, 0, n);
                  out.flush();
                }
                to.shutdownOutput(); // pass the half-close on; both sockets close with the relay
              } catch (IOException e) {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "relay-pipe");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already gone
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    sockets.forEach(CountingTcpRelay::closeQuietly);
  }
}
