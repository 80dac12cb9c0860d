package io.salve.it.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A deliberately small HTTP/1.x client on a plain socket, for what {@code java.net.http.HttpClient}
 * cannot express: restricted headers (Connection, Upgrade, Host...), HTTP/1.0, hand-made chunked
 * bodies, several requests on one known connection, and observing the connection close.
 *
 * <p>Responses are parsed strictly (CRLF lines, framing by Content-Length, chunked, or close), so a
 * proxy that frames a response wrongly makes the next read fail instead of passing silently.
 */
public final class RawHttp implements AutoCloseable {
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(15);

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private RawHttp(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
    this.out = socket.getOutputStream();
  }

  /** Connects to 127.0.0.1:{@code port}. */
  public static RawHttp connect(int port) throws IOException {
    Socket s = new Socket();
    s.setTcpNoDelay(true);
    s.setSoTimeout((int) READ_TIMEOUT.toMillis());
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    return new RawHttp(s);
  }

  public Socket socket() {
    return socket;
  }

  /** Writes text (ISO-8859-1) as is; the caller writes the CRLFs. */
  public RawHttp write(String text) throws IOException {
    return write(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  public RawHttp write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /** Writes {@code data} as one chunk of a chunked body. */
  public RawHttp writeChunk(byte[] data, int offset, int length) throws IOException {
    out.write((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.write(data, offset, length);
    out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return this;
  }

  /** Writes the last chunk (size 0) and the empty trailer section. */
  public RawHttp endChunks() throws IOException {
    return write("0\r\n\r\n");
  }

  /** Sends a bodyless request: {@code method target HTTP/1.1}, Host and the given header lines. */
  public RawHttp request(String method, String target, String... headerLines) throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
    sb.append("Host: 127.0.0.1:").append(socket.getPort()).append("\r\n");
    for (String h : headerLines) {
      sb.append(h).append("\r\n");
    }
    sb.append("\r\n");
    return write(sb.toString());
  }

  /** Reads one response to a request that was not HEAD. */
  public Response readResponse() throws IOException {
    return readResponse(false);
  }

  /**
   * Reads one response.
   *
   * @param toHead whether it answers a HEAD request (then it never has a body)
   */
  public Response readResponse(boolean toHead) throws IOException {
    String statusLine = readLine();
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP/1.x status line: " + statusLine);
    }
    int status = Integer.parseInt(parts[1]);
    List<Map.Entry<String, String>> headers = readHeaders();
    Response head = new Response(parts[0], status, headers, new byte[0]);
    byte[] body;
    String te = head.header("transfer-encoding");
    String cl = head.header("content-length");
    if (toHead || status < 200 || status == 204 || status == 304) {
      body = new byte[0];
    } else if (te != null) {
      if (!te.trim().equalsIgnoreCase("chunked")) {
        throw new IOException("unexpected Transfer-Encoding: " + te);
      }
      body = readChunked();
    } else if (cl != null) {
      body = in.readNBytes(Integer.parseInt(cl.trim()));
      if (body.length != Integer.parseInt(cl.trim())) {
        throw new EOFException("body shorter than Content-Length " + cl + ": " + body.length);
      }
    } else {
      body = in.readAllBytes(); // delimited by the connection closing
    }
    return new Response(parts[0], status, headers, body);
  }

  /**
   * @return whether the peer closed the connection (read returned end of stream) within {@code wait};
   *     false when data arrived or nothing happened in time
   */
  public boolean closedByPeerWithin(Duration wait) throws IOException {
    int old = socket.getSoTimeout();
    socket.setSoTimeout((int) wait.toMillis());
    try {
      return in.read() == -1;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // a reset is a close too
    } finally {
      if (!socket.isClosed()) {
        socket.setSoTimeout(old);
      }
    }
  }

  private byte[] readChunked() throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = readLine();
      int semi = sizeLine.indexOf(';');
      int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
      if (size == 0) {
        readHeaders(); // trailer section
        return body.toByteArray();
      }
      byte[] chunk = in.readNBytes(size);
      if (chunk.length != size) {
        throw new EOFException("chunk shorter than announced");
      }
      body.write(chunk);
      if (!readLine().isEmpty()) {
        throw new IOException("chunk data not followed by CRLF");
      }
    }
  }

  private List<Map.Entry<String, String>> readHeaders() throws IOException {
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    String line;
    while (!(line = readLine()).isEmpty()) {
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new IOException("malformed header line: " + line);
      }
      headers.add(Map.entry(line.substring(0, colon), line.substring(colon + 1).trim()));
    }
    return headers;
  }

  /** Reads a CRLF-terminated line; a bare LF is a protocol error. */
  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(128);
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\r') {
        if (in.read() != '\n') {
          throw new IOException("CR not followed by LF");
        }
        return line.toString(StandardCharsets.ISO_8859_1);
      }
      if (b == '\n') {
        throw new IOException("bare LF in: " + line.toString(StandardCharsets.ISO_8859_1));
      }
      line.write(b);
    }
    throw new EOFException("connection closed after: " + line.toString(StandardCharsets.ISO_8859_1));
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  /** A parsed response; header names compare case-insensitively. */
  public record Response(String version, int status, List<Map.Entry<String, String>> headerList, byte[] body) {
    /** @return the first value of the header, or null. */
    public String header(String name) {
      for (Map.Entry<String, String> e : headerList) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue();
        }
      }
      return null;
    }

    /** @return the lower-case names of all headers. */
    public List<String> headerNames() {
      List<String> names = new ArrayList<>();
      headerList.forEach(e -> names.add(e.getKey().toLowerCase(Locale.ROOT)));
      return names;
    }

    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }
}
