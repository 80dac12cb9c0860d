package io.salve.it.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream that answers its first request with 503 as soon as it has read {@code prefix} body
 * bytes and reads no further, as a server that refuses early does; it reads every later request
 * whole and answers 200 with the SHA-256 of the body (hex) as the response body. On 127.0.0.1, one
 * thread per connection, every read bounded by a 5 s timeout.
 */
public final class EarlyAnswerUpstream implements AutoCloseable {
  private final CountDownLatch answeredEarly = new CountDownLatch(1);
  private final AtomicInteger connections = new AtomicInteger();
  private final int prefix;
  private final ServerSocket server;

  public EarlyAnswerUpstream(int prefix) throws IOException {
    this.prefix = prefix;
    this.server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::acceptLoop, "early-answer-upstream");
    t.setDaemon(true);
    t.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  /** @return connections accepted so far */
  public int connections() {
    return connections.get();
  }

  /** @return whether the first request was answered 503 within {@code timeout} */
  public boolean awaitEarlyAnswer(Duration timeout) throws InterruptedException {
    return answeredEarly.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** @return the SHA-256 of {@code data} in lower-case hex, as this upstream reports it */
  public static String sha256Hex(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        int n = connections.incrementAndGet();
        Thread t = new Thread(() -> serve(s, n), "early-answer-" + n);
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket s, int n) {
    try (s) {
      s.setSoTimeout(5_000);
      InputStream in = new BufferedInputStream(s.getInputStream());
      OutputStream out = s.getOutputStream();
      line(in); // request line
      Map<String, String> head = readHeaders(in);
      if (n == 1) {
        readBody(in, head, prefix);
        out.write("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        answeredEarly.countDown();
        while (in.read() >= 0) {
          // until salve gives the connection up
        }
        return;
      }
      byte[] hash = sha256Hex(readBody(in, head, Integer.MAX_VALUE)).getBytes(StandardCharsets.ISO_8859_1);
      out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + hash.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.write(hash);
      out.flush();
    } catch (IOException e) {
      // the test's assertions on the client side report what went wrong
    }
  }

  /** @return up to {@code limit} body bytes, chunked or by Content-Length */
  private static byte[] readBody(InputStream in, Map<String, String> head, int limit) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if ("chunked".equalsIgnoreCase(head.get("transfer-encoding"))) {
      while (body.size() < limit) {
        int size = Integer.parseInt(line(in).split(";")[0].trim(), 16);
        if (size == 0) {
          while (!line(in).isEmpty()) {
            // trailers
          }
          break;
        }
        int take = Math.min(size, limit - body.size());
        body.write(in.readNBytes(take));
        if (take < size) {
          break;
        }
        line(in);
      }
    } else {
      int length = Integer.parseInt(head.getOrDefault("content-length", "0"));
      body.write(in.readNBytes(Math.min(length, limit)));
    }
    return body.toByteArray();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }

  /** A response read off a raw socket: status, lower-cased headers, and a Content-Length body. */
  public record Response(int status, Map<String, String> headers, String body) {
    public static Response read(InputStream raw) throws IOException {
      InputStream in = new BufferedInputStream(raw);
      String statusLine = line(in);
      Map<String, String> headers = readHeaders(in);
      byte[] body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
      return new Response(
          Integer.parseInt(statusLine.split(" ")[1]), headers, new String(body, StandardCharsets.ISO_8859_1));
    }
  }

  private static Map<String, String> readHeaders(InputStream in) throws IOException {
    Map<String, String> headers = new HashMap<>();
    for (String l = line(in); !l.isEmpty(); l = line(in)) {
      int colon = l.indexOf(':');
      headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
    }
    return headers;
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new EOFException("connection closed mid-line: " + sb);
      }
      if (c != '\r') {
        sb.append((char) c);
      }
    }
    return sb.toString();
  }
}
