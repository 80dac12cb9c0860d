package io.salve.proxy.codec;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.HeadersUtils;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fields of a received message head, read in place: an index over the head's bytes (where each
 * field's name and value begin and end) instead of a map of strings. A value becomes a {@code String}
 * only when asked for, and a name never does. Edits are kept beside the bytes: a removed field is
 * marked, an added one goes to a short list ({@link AddedFields}). An encoder that knows this class
 * writes the received field lines as they came, minus the removed ones, then the added ones ({@link
 * #writeTo}): nothing received is re-encoded.
 *
 * <p>The bytes were checked by the {@link HeadScanner} before they were indexed, so every name is a
 * token and every value is free of control characters. Names compare case-insensitively, as in
 * Netty's {@link DefaultHttpHeaders}; added fields are validated as that map validates them. Not
 * thread-safe, like the message it belongs to.
 */
public final class IndexedHeaders extends HttpHeaders {
  /** The head's bytes; the field lines lie between the first field's name and {@link #end}. */
  private final byte[] bytes;
  /** For each field: name start, name end, value start and value end (without surrounding whitespace). */
  private final int[] at;
  private final int count;
  /** Where the last field line ends, after its CRLF. */
  private final int end;
  /** Which of the first 64 fields were removed: a bit each, so marking one allocates nothing. */
  private long removedBits;
  /** Which of the fields past the 64th were removed; made for the first one. */
  private boolean[] removedPast64;
  private int removedCount;
  private AddedFields added;
  /** The value last read, kept: the same field (Host) is asked for by several checks in a row. */
  private int lastRead = -1;
  private String lastValue;

  /** The {@link FieldNames} bits of the received fields. */
  private final int fieldBits;

  IndexedHeaders(byte[] bytes, int[] at, int count, int end, int fieldBits) {
    this.bytes = bytes;
    this.at = at;
    this.count = count;
    this.end = end;
    this.fieldBits = fieldBits;
  }

  /** @return the {@link FieldNames} bits of the fields received (removed ones included) */
  public int receivedFieldBits() {
    return fieldBits;
  }

  /** @return how many fields were received (removed ones included) */
  public int receivedCount() {
    return count;
  }

  /** @return whether a field was removed or added since the head was received */
  public boolean edited() {
    return removedCount > 0 || added != null;
  }

  /** @return whether received field {@code i} is still present */
  public boolean isPresent(int i) {
    return i < 64 ? (removedBits & (1L << i)) == 0 : removedPast64 == null || !removedPast64[i - 64];
  }

  /** @return the name of received field {@code i}, a view over the bytes (not copied) */
  public AsciiString nameAt(int i) {
    return new AsciiString(bytes, at[4 * i], at[4 * i + 1] - at[4 * i], false);
  }

  /** Writes the received field lines still present, as they came, then the added fields, to {@code out}. */
  public void writeTo(ByteBuf out) {
    int i = 0;
    while (i < count) {
      if (!isPresent(i)) {
        i++;
        continue;
      }
      int j = i + 1;
      while (j < count && isPresent(j)) {
        j++;
      }
      int from = at[4 * i];
      int to = j < count ? at[4 * j] : end;
      out.writeBytes(bytes, from, to - from);
      i = j;
    }
    if (added != null) {
      added.writeTo(out);
    }
  }

  private boolean nameIs(int i, CharSequence name) {
    return ByteRanges.equal(bytes, at[4 * i], at[4 * i + 1], name, true);
  }

  private int find(CharSequence name, int from) {
    for (int i = from; i < count; i++) {
      if (isPresent(i) && nameIs(i, name)) {
        return i;
      }
    }
    return -1;
  }

  private String valueAt(int i) {
    if (i != lastRead) {
      int from = at[4 * i + 2];
      lastValue = new String(bytes, from, at[4 * i + 3] - from, StandardCharsets.ISO_8859_1);
      lastRead = i;
    }
    return lastValue;
  }

  private AddedFields added() {
    if (added == null) {
      added = new AddedFields();
    }
    return added;
  }

  @Override
  public String get(String name) {
    return get((CharSequence) name);
  }

  @Override
  public String get(CharSequence name) {
    int i = find(name, 0);
    if (i >= 0) {
      return valueAt(i);
    }
    return added == null ? null : added.get(name);
  }

  @Override
  public Integer getInt(CharSequence name) {
    String v = get(name);
    if (v == null) {
      return null;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  @Override
  public int getInt(CharSequence name, int defaultValue) {
    Integer v = getInt(name);
    return v == null ? defaultValue : v;
  }

  @Override
  public Short getShort(CharSequence name) {
    String v = get(name);
    if (v == null) {
      return null;
    }
    try {
      return Short.parseShort(v);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  @Override
  public short getShort(CharSequence name, short defaultValue) {
    Short v = getShort(name);
    return v == null ? defaultValue : v;
  }

  @Override
  public Long getTimeMillis(CharSequence name) {
    String v = get(name);
    Date date = v == null ? null : DateFormatter.parseHttpDate(v);
    return date == null ? null : date.getTime();
  }

  @Override
  public long getTimeMillis(CharSequence name, long defaultValue) {
    Long v = getTimeMillis(name);
    return v == null ? defaultValue : v;
  }

  @Override
  public List<String> getAll(String name) {
    return getAll((CharSequence) name);
  }

  @Override
  public List<String> getAll(CharSequence name) {
    int first = find(name, 0);
    if (first < 0 && (added == null || !added.contains(name))) {
      return List.of(); // most questions (Upgrade? Connection?) are about a field that is not there
    }
    if (added == null && find(name, first + 1) < 0) {
      return List.of(valueAt(first));
    }
    List<String> values = new ArrayList<>(2);
    for (int i = first; i >= 0; i = find(name, i + 1)) {
      values.add(valueAt(i));
    }
    if (added != null) {
      added.addValuesTo(name, values);
    }
    return values;
  }

  @Override
  public List<Map.Entry<String, String>> entries() {
    List<Map.Entry<String, String>> entries = new ArrayList<>(size());
    for (int i = 0; i < count; i++) {
      if (isPresent(i)) {
        entries.add(new SimpleImmutableEntry<>(nameAt(i).toString(), valueAt(i)));
      }
    }
    if (added != null) {
      added.addStringEntriesTo(entries);
    }
    return entries;
  }

  @Override
  public boolean contains(String name) {
    return contains((CharSequence) name);
  }

  @Override
  public boolean contains(CharSequence name) {
    return find(name, 0) >= 0 || (added != null && added.contains(name));
  }

  @Override
  public boolean containsValue(CharSequence name, CharSequence value, boolean ignoreCase) {
    // Asked of every response ("Connection: close?"): answered on the bytes, with no value strings.
    for (int i = find(name, 0); i >= 0; i = find(name, i + 1)) {
      if (ByteRanges.listHas(bytes, at[4 * i + 2], at[4 * i + 3], value, ignoreCase)) {
        return true;
      }
    }
    return added != null && added.contains(name) && super.containsValue(name, value, ignoreCase);
  }

  @Override
  public Iterator<Map.Entry<String, String>> iterator() {
    return entries().iterator();
  }

  @Override
  public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence() {
    List<Map.Entry<CharSequence, CharSequence>> entries = new ArrayList<>(size());
    for (int i = 0; i < count; i++) {
      if (isPresent(i)) {
        entries.add(new SimpleImmutableEntry<>(nameAt(i), valueAt(i)));
      }
    }
    if (added != null) {
      added.addEntriesTo(entries);
    }
    return entries.iterator();
  }

  @Override
  public boolean isEmpty() {
    return size() == 0;
  }

  @Override
  public int size() {
    return count - removedCount + (added == null ? 0 : added.size());
  }

  @Override
  public Set<String> names() {
    Set<String> names = new LinkedHashSet<>();
    for (int i = 0; i < count; i++) {
      if (isPresent(i)) {
        names.add(nameAt(i).toString());
      }
    }
    if (added != null) {
      added.addNamesTo(names);
    }
    return names;
  }

  @Override
  public HttpHeaders add(String name, Object value) {
    added().add(name, value);
    return this;
  }

  @Override
  public HttpHeaders add(CharSequence name, Object value) {
    added().add(name, value);
    return this;
  }

  @Override
  public HttpHeaders add(String name, Iterable<?> values) {
    for (Object value : values) {
      added().add(name, value);
    }
    return this;
  }

  @Override
  public HttpHeaders addInt(CharSequence name, int value) {
    added().add(name, Integer.toString(value));
    return this;
  }

  @Override
  public HttpHeaders addShort(CharSequence name, short value) {
    added().add(name, Short.toString(value));
    return this;
  }

  @Override
  public HttpHeaders set(String name, Object value) {
    return set((CharSequence) name, value);
  }

  @Override
  public HttpHeaders set(CharSequence name, Object value) {
    remove(name);
    added().add(name, value);
    return this;
  }

  @Override
  public HttpHeaders set(String name, Iterable<?> values) {
    remove(name);
    return add(name, values);
  }

  @Override
  public HttpHeaders setInt(CharSequence name, int value) {
    return set(name, Integer.toString(value));
  }

  @Override
  public HttpHeaders setShort(CharSequence name, short value) {
    return set(name, Short.toString(value));
  }

  @Override
  public HttpHeaders remove(String name) {
    return remove((CharSequence) name);
  }

  @Override
  public HttpHeaders remove(CharSequence name) {
    removeReceived(name);
    if (added != null) {
      added.remove(name);
    }
    return this;
  }

  private void removeReceived(CharSequence name) {
    for (int i = find(name, 0); i >= 0; i = find(name, i + 1)) {
      markRemoved(i);
    }
  }

  private void markRemoved(int i) {
    if (i < 64) {
      removedBits |= 1L << i;
    } else {
      if (removedPast64 == null) {
        removedPast64 = new boolean[count - 64];
      }
      removedPast64[i - 64] = true;
    }
    removedCount++;
  }

  @Override
  public HttpHeaders clear() {
    for (int i = 0; i < count; i++) {
      if (isPresent(i)) {
        markRemoved(i);
      }
    }
    added = null;
    return this;
  }

  @Override
  public String toString() {
    return HeadersUtils.toString(getClass(), iteratorCharSequence(), size());
  }
}
