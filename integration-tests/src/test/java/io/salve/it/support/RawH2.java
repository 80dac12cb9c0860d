package io.salve.it.support;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * HTTP/2 frames written and read by hand on a plain socket, for the attacks a well-behaved client
 * library refuses to make: resets in a burst, endless CONTINUATION, HPACK bombs, control-frame floods,
 * forbidden fields. Header blocks are HPACK-encoded by Netty's encoder (or written raw).
 */
public final class RawH2 implements AutoCloseable {
  public static final int DATA = 0, HEADERS = 1, RST_STREAM = 3, SETTINGS = 4, PING = 6, GOAWAY = 7, CONTINUATION = 9;
  public static final int END_STREAM = 1, END_HEADERS = 4, ACK = 1;

  /** One frame read: its type, flags, stream and payload. */
  public record Frame(int type, int flags, int stream, byte[] payload) {
    /** @return the error code of a RST_STREAM or GOAWAY frame. */
    public long errorCode() {
      int at = type == GOAWAY ? 4 : 0;
      return ((payload[at] & 0xFFL) << 24) | ((payload[at + 1] & 0xFF) << 16) | ((payload[at + 2] & 0xFF) << 8) | (payload[at + 3] & 0xFF);
    }
  }

  private final Socket socket;
  private final OutputStream out;
  private final DataInputStream in;
  private final DefaultHttp2HeadersEncoder hpack = new DefaultHttp2HeadersEncoder();

  /** Connects and sends the preface and an empty SETTINGS frame. */
  public RawH2(int port, int receiveBuffer) throws IOException {
    socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer);
    }
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    out = socket.getOutputStream();
    in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream(), 64 * 1024));
    out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    frame(SETTINGS, 0, 0, new byte[0]);
  }

  public RawH2(int port) throws IOException {
    this(port, 0);
  }

  public static Http2Headers get(String path, int port) {
    // Unvalidated: the tests send what a validating client would refuse to.
    return new DefaultHttp2Headers(false).method("GET").path(path).scheme("http").authority("127.0.0.1:" + port);
  }

  /** @return {@code headers} HPACK-encoded by this connection's encoder. */
  public byte[] encode(int stream, Http2Headers headers) throws Exception {
    ByteBuf buf = Unpooled.buffer();
    try {
      hpack.encodeHeaders(stream, headers, buf);
      return ByteBufUtil.getBytes(buf);
    } finally {
      buf.release();
    }
  }

  public void headers(int stream, Http2Headers headers, boolean endStream) throws Exception {
    frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), stream, encode(stream, headers));
  }

  public void rst(int stream, int code) throws IOException {
    frame(RST_STREAM, 0, stream, new byte[] {0, 0, 0, (byte) code});
  }

  public void frame(int type, int flags, int stream, byte[] payload) throws IOException {
    out.write(header(type, flags, stream, payload.length));
    out.write(payload);
  }

  /** Writes many frames at once, for floods. */
  public void frames(int type, int flags, int stream, byte[] payload, int count) throws IOException {
    ByteArrayOutputStream batch = new ByteArrayOutputStream();
    for (int i = 0; i < count; i++) {
      batch.writeBytes(header(type, flags, stream, payload.length));
      batch.writeBytes(payload);
    }
    out.write(batch.toByteArray());
  }

  private static byte[] header(int type, int flags, int stream, int length) {
    return new byte[] {
      (byte) (length >>> 16), (byte) (length >>> 8), (byte) length, (byte) type, (byte) flags,
      (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream
    };
  }

  public void flush() throws IOException {
    out.flush();
  }

  /** @return the next frame, or null when the server closed the connection or {@code timeout} passed. */
  public Frame read(Duration timeout) throws IOException {
    socket.setSoTimeout((int) timeout.toMillis());
    try {
      int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
      int type = in.readUnsignedByte();
      int flags = in.readUnsignedByte();
      int stream = in.readInt() & 0x7FFFFFFF;
      byte[] payload = new byte[length];
      in.readFully(payload);
      return new Frame(type, flags, stream, payload);
    } catch (EOFException | SocketTimeoutException e) {
      return null;
    } catch (SocketException e) {
      return null; // reset by the server
    }
  }

  /**
   * Reads until a frame of {@code type} (on {@code stream}, or any stream when negative) arrives.
   *
   * @return it, or null when the connection ended or {@code timeout} passed first
   */
  public Frame await(int type, int stream, Duration timeout) throws IOException {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      Frame f = read(Duration.ofNanos(Math.max(1_000_000, end - System.nanoTime())));
      if (f == null) {
        return null;
      }
      if (f.type() == type && (stream < 0 || f.stream() == stream)) {
        return f;
      }
    }
    return null;
  }

  /** @return whether the server closed the connection within {@code timeout} (frames before are skipped). */
  public boolean closedWithin(Duration timeout) throws IOException {
    long end = System.nanoTime() + timeout.toNanos();
    socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
    byte[] sink = new byte[8192];
    try {
      while (System.nanoTime() < end) {
        if (in.read(sink) < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      return true;
    }
    return false;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
