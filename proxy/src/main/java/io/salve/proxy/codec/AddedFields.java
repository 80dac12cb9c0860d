package io.salve.proxy.codec;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpHeaderValidationUtil;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fields added to an {@link IndexedHeaders}, in order: a few (the forwarding fields, salve's own)
 * kept in two arrays and found by a linear, case-insensitive scan, with no hashing and no map entries.
 * Names and values are validated as Netty's header map validates them, except {@link AsciiString}s:
 * in salve those are constants ({@code HttpHeaderNames}, {@code HttpHeaderValues}, salve's own) or
 * names read from a head the strict scanner has checked, and checking them again on every request
 * showed in the profile.
 */
final class AddedFields {
  /**
   * Name, value, name, value...: one array, room for six fields (a forwarded request gets four or
   * five, a response two or three), as it is made twice per request.
   */
  private CharSequence[] fields = new CharSequence[12];
  private int size;

  int size() {
    return size;
  }

  void add(CharSequence name, Object value) {
    if (!(name instanceof AsciiString) && (HttpHeaderValidationUtil.validateToken(name) != -1 || name.length() == 0)) {
      throw new IllegalArgumentException("a header name can only contain token characters: " + name);
    }
    CharSequence v = text(value);
    if (!(v instanceof AsciiString) && HttpHeaderValidationUtil.validateValidHeaderValue(v) != -1) {
      throw new IllegalArgumentException("a header value contains a prohibited character: " + v);
    }
    if (2 * size == fields.length) {
      fields = Arrays.copyOf(fields, fields.length * 2);
    }
    fields[2 * size] = name;
    fields[2 * size + 1] = v;
    size++;
  }

  /** Mostly names of another length, or the same constant: both settled without comparing characters. */
  private boolean same(int i, CharSequence name, int length) {
    CharSequence n = fields[2 * i];
    return n.length() == length && (n == name || AsciiString.contentEqualsIgnoreCase(n, name));
  }

  private static CharSequence text(Object value) {
    if (value instanceof CharSequence cs) {
      return cs;
    }
    return value instanceof Date date ? DateFormatter.format(date) : String.valueOf(value);
  }

  void remove(CharSequence name) {
    int kept = 0;
    int length = name.length();
    for (int i = 0; i < size; i++) {
      if (!same(i, name, length)) {
        fields[2 * kept] = fields[2 * i];
        fields[2 * kept + 1] = fields[2 * i + 1];
        kept++;
      }
    }
    Arrays.fill(fields, 2 * kept, 2 * size, null);
    size = kept;
  }

  /** @return the first value of {@code name}, or null */
  String get(CharSequence name) {
    int i = indexOf(name);
    return i < 0 ? null : fields[2 * i + 1].toString();
  }

  boolean contains(CharSequence name) {
    return indexOf(name) >= 0;
  }

  /** @return where the first field named {@code name} is, or -1 */
  private int indexOf(CharSequence name) {
    int length = name.length();
    for (int i = 0; i < size; i++) {
      if (same(i, name, length)) {
        return i;
      }
    }
    return -1;
  }

  void addValuesTo(CharSequence name, List<String> out) {
    int length = name.length();
    for (int i = 0; i < size; i++) {
      if (same(i, name, length)) {
        out.add(fields[2 * i + 1].toString());
      }
    }
  }

  void addNamesTo(Set<String> out) {
    for (int i = 0; i < size; i++) {
      out.add(fields[2 * i].toString());
    }
  }

  void addStringEntriesTo(List<Map.Entry<String, String>> out) {
    for (int i = 0; i < size; i++) {
      out.add(new SimpleImmutableEntry<>(fields[2 * i].toString(), fields[2 * i + 1].toString()));
    }
  }

  void addEntriesTo(List<Map.Entry<CharSequence, CharSequence>> out) {
    for (int i = 0; i < size; i++) {
      out.add(new SimpleImmutableEntry<>(fields[2 * i], fields[2 * i + 1]));
    }
  }

  /** Writes each field as {@code name: value CRLF}, in the order added. */
  void writeTo(ByteBuf out) {
    for (int i = 0; i < size; i++) {
      write(fields[2 * i], out);
      out.writeShort(':' << 8 | ' ');
      write(fields[2 * i + 1], out);
      out.writeShort('\r' << 8 | '\n');
    }
  }

  private static void write(CharSequence s, ByteBuf out) {
    if (s instanceof AsciiString ascii) {
      out.writeBytes(ascii.array(), ascii.arrayOffset(), ascii.length());
    } else {
      // ISO-8859-1: a received value that salve passes on again keeps its obs-text bytes.
      out.writeCharSequence(s, StandardCharsets.ISO_8859_1);
    }
  }
}
