package io.salve.it.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * An HTTP/1.1 upstream written directly on a {@link ServerSocket}, so a test sees exactly the bytes
 * salve sends and can answer with bytes no HTTP library would produce. Every byte received is counted
 * (per connection and since the last {@link #reset()}); every complete-looking request (a head ended by
 * CRLF CRLF, then a Content-Length or chunked body) is recorded and answered by the current {@link
 * #respondWith responder}, by default {@code 200 OK} with body {@code ok}.
 */
public final class RawUpstream implements AutoCloseable {
  /** The fixed answer to any request unless a test says otherwise. */
  public static final Reply OK = Reply.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false);

  /** What to send back, and whether to close the connection afterwards. */
  public record Reply(byte[] bytes, boolean close) {
    public static Reply of(String raw, boolean close) {
      return new Reply(raw.getBytes(StandardCharsets.ISO_8859_1), close);
    }
  }

  /** One request as it arrived: its connection, raw bytes, start line and fields in order. */
  public record Received(int connection, byte[] raw, String requestLine, List<String[]> fields, byte[] body) {
    /** @return the request-target of the request line. */
    public String target() {
      String[] parts = requestLine.split(" ", -1);
      return parts.length == 3 ? parts[1] : null;
    }

    /** @return every value of the field {@code name} (case-insensitive), in order. */
    public List<String> values(String name) {
      List<String> out = new ArrayList<>();
      for (String[] f : fields) {
        if (f[0].equalsIgnoreCase(name)) {
          out.add(f[1]);
        }
      }
      return out;
    }

    /** @return the single value of {@code name}, or null when absent; fails when repeated. */
    public String value(String name) {
      List<String> v = values(name);
      if (v.size() > 1) {
        throw new AssertionError("field " + name + " repeated: " + v);
      }
      return v.isEmpty() ? null : v.get(0);
    }

    public String rawText() {
      return new String(raw, StandardCharsets.ISO_8859_1);
    }
  }

  /** The state of one accepted connection. */
  public static final class Conn {
    private final int id;
    private final AtomicLong bytes = new AtomicLong();
    private final CountDownLatch closedByPeer = new CountDownLatch(1);

    Conn(int id) {
      this.id = id;
    }

    public int id() {
      return id;
    }

    public long bytes() {
      return bytes.get();
    }

    /** @return whether salve closed this connection (end of stream or reset) within {@code timeout}. */
    public boolean awaitClosedByPeer(Duration timeout) throws InterruptedException {
      return closedByPeer.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private final ServerSocket server;
  private final Thread acceptor;
  private final AtomicInteger accepts = new AtomicInteger();
  private final AtomicLong bytesSinceReset = new AtomicLong();
  private final List<Received> received = new ArrayList<>();
  private final Map<Integer, Conn> connections = new ConcurrentHashMap<>();
  private final List<Socket> sockets = new ArrayList<>();
  private volatile Function<Received, Reply> responder = r -> OK;
  private volatile boolean closed;

  public RawUpstream() throws IOException {
    server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    acceptor = new Thread(this::acceptLoop, "raw-upstream-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  /** @return connections accepted since start. */
  public int accepts() {
    return accepts.get();
  }

  /** Sets how requests are answered from now on. */
  public void respondWith(Function<Received, Reply> responder) {
    this.responder = responder;
  }

  /** Forgets the requests and byte count recorded so far (connections stay open). */
  public synchronized void reset() {
    received.clear();
    bytesSinceReset.set(0);
  }

  /** @return the requests recorded since the last reset, in arrival order. */
  public synchronized List<Received> received() {
    return List.copyOf(received);
  }

  /** @return the bytes received on all connections since the last reset, complete requests or not. */
  public long bytesSinceReset() {
    return bytesSinceReset.get();
  }

  public Conn connection(int id) {
    return connections.get(id);
  }

  private void acceptLoop() {
    while (!closed) {
      Socket s;
      try {
        s = server.accept();
      } catch (IOException e) {
        return;
      }
      Conn c = new Conn(accepts.incrementAndGet());
      connections.put(c.id, c);
      synchronized (sockets) {
        sockets.add(s);
      }
      Thread t = new Thread(() -> serve(s, c), "raw-upstream-conn-" + c.id);
      t.setDaemon(true);
      t.start();
    }
  }

  private void serve(Socket s, Conn c) {
    ByteArrayOutputStream pending = new ByteArrayOutputStream();
    byte[] buf = new byte[16 * 1024];
    try (s) {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      while (true) {
        int n;
        try {
          n = in.read(buf);
        } catch (IOException e) {
          n = -1; // a reset counts as the peer closing
        }
        if (n < 0) {
          c.closedByPeer.countDown();
          return;
        }
        c.bytes.addAndGet(n);
        bytesSinceReset.addAndGet(n);
        pending.write(buf, 0, n);
        Parsed p;
        while ((p = parse(pending.toByteArray())) != null) {
          byte[] all = pending.toByteArray();
          pending.reset();
          pending.write(all, p.length, all.length - p.length);
          byte[] raw = java.util.Arrays.copyOf(all, p.length);
          Received r = new Received(c.id, raw, p.requestLine, p.fields, p.body);
          synchronized (this) {
            received.add(r);
          }
          Reply reply = responder.apply(r);
          out.write(reply.bytes());
          out.flush();
          if (reply.close()) {
            return;
          }
        }
      }
    } catch (IOException e) {
      c.closedByPeer.countDown();
    }
  }

  private record Parsed(int length, String requestLine, List<String[]> fields, byte[] body) {}

  /** @return the first complete request in {@code b}, or null when none is complete yet. */
  private static Parsed parse(byte[] b) {
    int headEnd = indexOf(b, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), 0);
    if (headEnd < 0) {
      return null;
    }
    String head = new String(b, 0, headEnd, StandardCharsets.ISO_8859_1);
    String[] lines = head.split("\r\n", -1);
    List<String[]> fields = new ArrayList<>();
    long contentLength = 0;
    boolean chunked = false;
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = lines[i].substring(0, colon);
      String value = lines[i].substring(colon + 1).trim();
      fields.add(new String[] {name, value});
      if (name.equalsIgnoreCase("content-length")) {
        contentLength = Long.parseLong(value);
      } else if (name.equalsIgnoreCase("transfer-encoding")) {
        chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
      }
    }
    int pos = headEnd + 4;
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (chunked) {
      while (true) {
        int lineEnd = indexOf(b, new byte[] {'\r', '\n'}, pos);
        if (lineEnd < 0) {
          return null;
        }
        String sizeLine = new String(b, pos, lineEnd - pos, StandardCharsets.ISO_8859_1);
        int semi = sizeLine.indexOf(';');
        int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
        pos = lineEnd + 2;
        if (size == 0) {
          int trailerEnd = indexOf(b, new byte[] {'\r', '\n'}, pos);
          while (trailerEnd > pos) { // skip trailer fields up to the empty line
            pos = trailerEnd + 2;
            trailerEnd = indexOf(b, new byte[] {'\r', '\n'}, pos);
          }
          if (trailerEnd < 0) {
            return null;
          }
          pos = trailerEnd + 2;
          break;
        }
        if (b.length < pos + size + 2) {
          return null;
        }
        body.write(b, pos, size);
        pos += size + 2;
      }
    } else {
      if (b.length < pos + contentLength) {
        return null;
      }
      body.write(b, pos, (int) contentLength);
      pos += (int) contentLength;
    }
    return new Parsed(pos, lines[0], fields, body.toByteArray());
  }

  private static int indexOf(byte[] b, byte[] needle, int from) {
    outer:
    for (int i = from; i <= b.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (b[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    synchronized (sockets) {
      for (Socket s : sockets) {
        s.close();
      }
    }
  }
}
