package io.salve.proxy.forward;

import io.netty.handler.codec.http.HttpHeaders;
import io.salve.proxy.codec.FieldNames;
import io.salve.proxy.codec.IndexedHeaders;
import java.util.Iterator;
import java.util.Map;

/**
 * Which of the fields salve rewrites or checks ({@link FieldNames}) a message carries, found in one pass
 * over its lines, or taken from the split of a received head. A set bit only means "look": the code
 * behind it still reads the headers themselves, so a bit left set after its field was removed is
 * harmless.
 */
final class FieldScan {
  private FieldScan() {}

  /** @return the {@link FieldNames} bits of the fields present in {@code headers}. */
  static int of(HttpHeaders headers) {
    if (headers instanceof IndexedHeaders indexed && !indexed.edited()) {
      return indexed.receivedFieldBits();
    }
    int bits = 0;
    Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
    while (it.hasNext()) {
      bits |= FieldNames.bitOf(it.next().getKey());
    }
    return bits;
  }
}
