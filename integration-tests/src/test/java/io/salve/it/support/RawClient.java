package io.salve.it.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Sends raw bytes to salve on a fresh connection and reads one response: status line, fields, and a
 * Content-Length body. Optionally waits to see whether salve then closes the connection.
 */
public final class RawClient {
  private RawClient() {}

  /** A response as read off the wire; {@code status} is -1 when none arrived. */
  public record Response(int status, List<String[]> fields, String body, boolean closed, String raw) {
    public String value(String name) {
      for (String[] f : fields) {
        if (f[0].equalsIgnoreCase(name)) {
          return f[1];
        }
      }
      return null;
    }
  }

  /**
   * @param awaitClose whether to keep reading after the response until salve closes the connection
   *     (up to 5 s); when false, {@code closed} only says whether it was already closed
   */
  public static Response send(int port, String raw, boolean awaitClose) throws IOException {
    return send(port, raw.getBytes(StandardCharsets.ISO_8859_1), awaitClose);
  }

  public static Response send(int port, byte[] raw, boolean awaitClose) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(5000);
      s.setTcpNoDelay(true);
      try {
        s.getOutputStream().write(raw); // one write: the request arrives as one segment on loopback
        s.getOutputStream().flush();
      } catch (SocketException e) {
        // salve may answer and close before taking everything; the answer is still there to read
      }
      return read(s.getInputStream(), awaitClose);
    }
  }

  private static Response read(InputStream in, boolean awaitClose) throws IOException {
    ByteArrayOutputStream acc = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    boolean eof = false;
    int headEnd = -1;
    long need = -1;
    try {
      while (true) {
        if (headEnd < 0) {
          headEnd = acc.toString(StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n");
          if (headEnd >= 0) {
            String cl = field(acc.toString(StandardCharsets.ISO_8859_1).substring(0, headEnd), "content-length");
            need = headEnd + 4 + (cl == null ? 0 : Long.parseLong(cl.trim()));
          }
        }
        if (need >= 0 && acc.size() >= need && !awaitClose) {
          break;
        }
        int n = in.read(buf);
        if (n < 0) {
          eof = true;
          break;
        }
        acc.write(buf, 0, n);
      }
    } catch (SocketTimeoutException e) {
      // no close within the timeout
    } catch (SocketException e) {
      eof = true; // reset by salve: closed
    }
    String text = acc.toString(StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      return new Response(-1, List.of(), "", eof, text);
    }
    String[] lines = text.substring(0, end).split("\r\n");
    String[] statusLine = lines[0].split(" ", 3);
    int status = statusLine.length >= 2 && statusLine[1].matches("\\d{3}") ? Integer.parseInt(statusLine[1]) : -1;
    List<String[]> fields = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        fields.add(new String[] {lines[i].substring(0, colon), lines[i].substring(colon + 1).trim()});
      }
    }
    return new Response(status, fields, text.substring(end + 4), eof, text);
  }

  private static String field(String head, String name) {
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
        return line.substring(colon + 1);
      }
    }
    return null;
  }
}
