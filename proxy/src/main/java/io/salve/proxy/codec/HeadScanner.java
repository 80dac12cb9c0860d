package io.salve.proxy.codec;

import io.netty.util.ByteProcessor;

/**
 * Checks the raw bytes of one HTTP/1.1 message head (start line and field lines, up to the empty
 * line) against the RFC 9112 grammar, before Netty's decoder parses them. Netty is lenient where a
 * proxy must not be: it folds obs-fold lines into the previous value, splits the request line on any
 * run of whitespace, accepts a lower-case {@code http/1.1} and skips any control bytes before the
 * start line. What Netty would accept leniently is refused here, so what salve parses is exactly what
 * was sent.
 *
 * <p>Refused: bare CR or bare LF anywhere; anything but CRLF before a request line (RFC 9112 §2.2);
 * a request line that is not {@code token SP target SP HTTP/d.d} with a visible-ASCII target (§3); a
 * status line that is not {@code HTTP/d.d SP 3DIGIT [SP reason]} (§4), or whose code is below 100;
 * whitespace before the first field or at the start of any field line, i.e. obs-fold (§2.2, §5.2);
 * an empty field name or one with a non-token character, including whitespace before the colon
 * (§5.1); a field value with a control character other than HTAB, such as NUL or DEL (RFC 9110 §5.5).
 * Lengths are not checked here: the decoder's limits answer those (414, 431).
 *
 * <p>Feed bytes with {@link #scan} (or one at a time with {@link #process}, which returns false
 * once the head is complete or invalid). Not thread-safe; one instance per connection, {@link
 * #reset} between messages.
 */
public final class HeadScanner implements ByteProcessor {
  /** Which start line to expect. */
  public enum Kind {
    REQUEST,
    RESPONSE
  }

  private static final int START = 0;
  private static final int START_LF = 1;
  private static final int METHOD = 2;
  private static final int TARGET = 3;
  private static final int VERSION = 4;
  private static final int STATUS = 5;
  private static final int REASON = 6;
  private static final int LINE_LF = 7;
  private static final int FIELD_START = 8;
  private static final int NAME = 9;
  private static final int VALUE = 10;
  private static final int VALUE_LF = 11;
  private static final int END_LF = 12;
  private static final int COMPLETE = 13;
  private static final int INVALID = 14;

  private static final byte[] HTTP_SLASH = {'H', 'T', 'T', 'P', '/'};
  private static final boolean[] TCHAR = new boolean[256];

  static {
    for (int c = '0'; c <= '9'; c++) {
      TCHAR[c] = true;
    }
    for (int c = 'a'; c <= 'z'; c++) {
      TCHAR[c] = true;
      TCHAR[c - 'a' + 'A'] = true;
    }
    for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
      TCHAR[c] = true;
    }
  }

  private final Kind kind;
  private int state;
  private int count;
  private boolean firstField;
  private String problem;

  public HeadScanner(Kind kind) {
    this.kind = kind;
    reset();
  }

  /** Prepares for the next message head. */
  public void reset() {
    state = kind == Kind.REQUEST ? START : VERSION;
    count = 0;
    firstField = true;
    problem = null;
  }

  /** @return whether the empty line ending the head was seen (and nothing was wrong before it). */
  public boolean isComplete() {
    return state == COMPLETE;
  }

  /** @return what is wrong with the head, safe to show to a client, or null. */
  public String problem() {
    return problem;
  }

  /**
   * Feeds {@code bytes[from, to)}. Runs of target, field-name and field-value bytes, most of a head,
   * are skipped over in tight loops instead of one state transition per byte.
   *
   * @return the index of the byte that completed or invalidated the head, or -1 when all were taken
   *     and the head is not complete yet
   */
  public int scan(byte[] bytes, int from, int to) {
    for (int i = from; i < to; i++) {
      if (state == VALUE) {
        while (i < to && bytes[i] != '\r' && isFieldValueByte(bytes[i] & 0xFF)) {
          i++;
        }
      } else if (state == NAME) {
        while (i < to && TCHAR[bytes[i] & 0xFF]) {
          i++;
        }
      } else if (state == TARGET) {
        int start = i;
        while (i < to && bytes[i] > 0x20 && bytes[i] < 0x7F) {
          i++;
        }
        count += i - start;
      }
      if (i == to) {
        return -1;
      }
      if (!process(bytes[i])) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public boolean process(byte value) {
    int b = value & 0xFF;
    switch (state) {
      case START:
        if (b == '\r') {
          state = START_LF;
          return true;
        }
        if (!TCHAR[b]) {
          return invalid("only empty lines may precede the request line");
        }
        state = METHOD;
        count = 1;
        return true;
      case START_LF:
        return b == '\n' ? to(START) : invalid("bare CR before the request line");
      case METHOD:
        if (TCHAR[b]) {
          return true;
        }
        return b == ' ' ? to(TARGET) : invalid("request line must be: method SP request-target SP HTTP-version");
      case TARGET:
        if (b > 0x20 && b < 0x7F) {
          count++;
          return true;
        }
        if (b == ' ' && count > 0) {
          return to(VERSION);
        }
        return invalid(count == 0 || b == ' ' || b == '\t' || b == '\r' || b == '\n'
            ? "request line must be: method SP request-target SP HTTP-version"
            : "request-target contains a character outside visible ASCII");
      case VERSION:
        return version(b);
      case STATUS:
        if (count < 3) {
          // Three digits, the first 1-9: a code below 100 has no class and would pass for informational.
          boolean digit = b >= (count == 0 ? '1' : '0') && b <= '9';
          count++;
          return digit ? true : invalid("invalid status code");
        }
        if (b == ' ') {
          return to(REASON);
        }
        return b == '\r' ? to(LINE_LF) : invalid("invalid status line");
      case REASON:
        if (b == '\r') {
          return to(LINE_LF);
        }
        return isFieldValueByte(b) ? true : invalid("invalid character in the reason phrase");
      case LINE_LF:
        return b == '\n' ? to(FIELD_START) : invalid("bare CR in the start line");
      case FIELD_START:
        if (b == '\r') {
          return to(END_LF);
        }
        if (b == ' ' || b == '\t') {
          return invalid(firstField ? "whitespace before the first field line" : "obs-fold (line folding) is not accepted");
        }
        if (b == ':') {
          return invalid("empty field name");
        }
        if (b == '\n') {
          return invalid("bare LF line ending");
        }
        firstField = false;
        return TCHAR[b] ? to(NAME) : invalid("invalid character in a field name");
      case NAME:
        if (TCHAR[b]) {
          return true;
        }
        if (b == ':') {
          return to(VALUE);
        }
        if (b == ' ' || b == '\t') {
          return invalid("whitespace between a field name and its colon");
        }
        return invalid(b == '\r' || b == '\n' ? "field line without a colon" : "invalid character in a field name");
      case VALUE:
        if (b == '\r') {
          return to(VALUE_LF);
        }
        if (b == '\n') {
          return invalid("bare LF line ending");
        }
        return isFieldValueByte(b) ? true : invalid("control character in a field value");
      case VALUE_LF:
        return b == '\n' ? to(FIELD_START) : invalid("bare CR in a field line");
      case END_LF:
        if (b == '\n') {
          state = COMPLETE;
          return false;
        }
        return invalid("bare CR at the end of the head");
      default:
        return false;
    }
  }

  /** Matches {@code HTTP/d.d}, then SP (response) or CR (request). */
  private boolean version(int b) {
    if (count < 5) {
      if (b != HTTP_SLASH[count]) {
        return invalid(kind == Kind.REQUEST ? "invalid HTTP version" : "invalid status line");
      }
    } else if (count == 5 || count == 7) {
      if (b < '0' || b > '9') {
        return invalid(kind == Kind.REQUEST ? "invalid HTTP version" : "invalid status line");
      }
    } else if (count == 6) {
      if (b != '.') {
        return invalid(kind == Kind.REQUEST ? "invalid HTTP version" : "invalid status line");
      }
    } else if (kind == Kind.REQUEST) {
      if (b == '\n') {
        return invalid("bare LF line ending");
      }
      return b == '\r' ? to(LINE_LF) : invalid("request line must end right after the HTTP version");
    } else {
      return b == ' ' ? to(STATUS) : invalid("invalid status line");
    }
    count++;
    return true;
  }

  /** field-vchar, SP, HTAB and obs-text (RFC 9110 §5.5). */
  private static boolean isFieldValueByte(int b) {
    return b == '\t' || (b >= 0x20 && b != 0x7F);
  }

  private boolean to(int next) {
    state = next;
    count = 0;
    return true;
  }

  private boolean invalid(String why) {
    state = INVALID;
    problem = why;
    return false;
  }
}
