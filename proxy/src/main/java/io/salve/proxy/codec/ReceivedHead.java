package io.salve.proxy.codec;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * One complete message head split in a single pass: where the start line's parts lie, an {@link
 * IndexedHeaders} over the field lines, and what the fields say about framing. The head must have
 * passed the {@link HeadScanner}, so the grammar is not checked again: the split only finds the
 * separators the scanner accepted.
 *
 * <p>A head {@link #passable() is passable} when its framing is the plain kind salve decodes itself:
 * no Transfer-Encoding and at most one Content-Length made of digits. Any other head goes to Netty's
 * decoder, whose checks answer it as before.
 */
public final class ReceivedHead {
  private static final byte[] HTTP_1_1 = "HTTP/1.1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HTTP_1_0 = "HTTP/1.0".getBytes(StandardCharsets.US_ASCII);

  private final byte[] bytes;
  /** Where the start line begins (after any empty lines before a request line) and where its CR is. */
  private int lineStart;
  private int lineEnd;
  /** The first and second SP of the start line; the second is -1 in a status line without a reason. */
  private int sp1;
  private int sp2 = -1;
  private IndexedHeaders headers;
  private int contentLengths;
  private long contentLength = -1;
  /** The {@link FieldNames} bits of the fields. */
  private int fieldBits;

  private ReceivedHead(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Splits {@code bytes}, one whole scanned head from the start of its start line to its empty line. */
  public static ReceivedHead split(byte[] bytes) {
    ReceivedHead head = new ReceivedHead(bytes);
    head.splitStartLine();
    head.splitFields();
    return head;
  }

  private void splitStartLine() {
    int p = 0;
    while (bytes[p] == '\r') {
      p += 2;
    }
    lineStart = p;
    while (bytes[p] != ' ') {
      p++;
    }
    sp1 = p;
    for (p++; bytes[p] != '\r'; p++) {
      if (bytes[p] == ' ' && sp2 < 0) {
        sp2 = p;
      }
    }
    lineEnd = p;
  }

  private void splitFields() {
    int lines = 0;
    for (int i = lineEnd + 2; i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        lines++;
      }
    }
    int[] at = new int[4 * (lines - 1)]; // every line after the start line but the empty one is a field
    int n = 0;
    int p = lineEnd + 2;
    while (bytes[p] != '\r') {
      int nameStart = p;
      while (bytes[p] != ':') {
        p++;
      }
      int nameEnd = p;
      for (p++; bytes[p] == ' ' || bytes[p] == '\t'; p++) {}
      int valueStart = p;
      while (bytes[p] != '\r') {
        p++;
      }
      int valueEnd = p;
      while (valueEnd > valueStart && (bytes[valueEnd - 1] == ' ' || bytes[valueEnd - 1] == '\t')) {
        valueEnd--;
      }
      at[4 * n] = nameStart;
      at[4 * n + 1] = nameEnd;
      at[4 * n + 2] = valueStart;
      at[4 * n + 3] = valueEnd;
      n++;
      noteFraming(nameStart, nameEnd, valueStart, valueEnd);
      p += 2;
    }
    headers = new IndexedHeaders(bytes, at, n, p, fieldBits);
  }

  private void noteFraming(int nameStart, int nameEnd, int valueStart, int valueEnd) {
    int bit = FieldNames.bitOf(bytes, nameStart, nameEnd - nameStart);
    fieldBits |= bit;
    if (bit == FieldNames.CONTENT_LENGTH) {
      contentLengths++;
      contentLength = digits(valueStart, valueEnd);
    }
  }

  /** @return the value of the digits in {@code bytes[from, to)}, or -1 when it is not 1 to 18 digits */
  private long digits(int from, int to) {
    if (to <= from || to - from > 18) {
      return -1;
    }
    long v = 0;
    for (int i = from; i < to; i++) {
      int d = bytes[i] - '0';
      if (d < 0 || d > 9) {
        return -1;
      }
      v = v * 10 + d;
    }
    return v;
  }

  /** @return the length of the head, any empty lines before it included */
  public int length() {
    return bytes.length;
  }

  /** @return whether salve can frame the body itself: no Transfer-Encoding, at most one valid Content-Length */
  public boolean passable() {
    return (fieldBits & FieldNames.TRANSFER_ENCODING) == 0 && (contentLengths == 0 || (contentLengths == 1 && contentLength >= 0));
  }

  /** @return the Content-Length, or -1 when there is none */
  public long contentLength() {
    return contentLength;
  }

  public IndexedHeaders headers() {
    return headers;
  }

  /** @return the request this head starts, or null when its version is not HTTP/1.1 or HTTP/1.0 */
  public HttpRequest request() {
    HttpVersion version = version(sp2 + 1, lineEnd);
    if (version == null) {
      return null;
    }
    String target = new String(bytes, sp1 + 1, sp2 - sp1 - 1, StandardCharsets.ISO_8859_1);
    return new DefaultHttpRequest(version, method(), target, headers);
  }

  private HttpMethod method() {
    int length = sp1 - lineStart;
    if (length == 3 && regionEquals(lineStart, "GET")) {
      return HttpMethod.GET;
    }
    if (length == 4 && regionEquals(lineStart, "POST")) {
      return HttpMethod.POST;
    }
    return HttpMethod.valueOf(new String(bytes, lineStart, length, StandardCharsets.ISO_8859_1));
  }

  /** @return the response this head starts, or null when its version is not HTTP/1.1 or HTTP/1.0 */
  public HttpResponse response() {
    HttpVersion version = version(lineStart, sp1);
    if (version == null) {
      return null;
    }
    return new DefaultHttpResponse(version, status(), headers);
  }

  /** @return the status code of a status line */
  public int statusCode() {
    return (bytes[sp1 + 1] - '0') * 100 + (bytes[sp1 + 2] - '0') * 10 + (bytes[sp1 + 3] - '0');
  }

  private HttpResponseStatus status() {
    HttpResponseStatus known = HttpResponseStatus.valueOf(statusCode());
    int from = sp2 < 0 ? lineEnd : sp2 + 1;
    String standard = known.reasonPhrase();
    if (lineEnd - from == standard.length() && regionEquals(from, standard)) {
      return known;
    }
    return HttpResponseStatus.valueOf(known.code(), new String(bytes, from, lineEnd - from, StandardCharsets.ISO_8859_1));
  }

  private HttpVersion version(int from, int to) {
    if (to - from != HTTP_1_1.length) {
      return null;
    }
    if (java.util.Arrays.equals(bytes, from, to, HTTP_1_1, 0, HTTP_1_1.length)) {
      return HttpVersion.HTTP_1_1;
    }
    return java.util.Arrays.equals(bytes, from, to, HTTP_1_0, 0, HTTP_1_0.length) ? HttpVersion.HTTP_1_0 : null;
  }

  private boolean regionEquals(int from, String s) {
    for (int k = 0; k < s.length(); k++) {
      if (bytes[from + k] != s.charAt(k)) {
        return false;
      }
    }
    return true;
  }
}
