package io.salve.proxy.codec;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseEncoder;

/**
 * Netty's response encoder, except that the fields of a received head ({@link IndexedHeaders}) are
 * written as the bytes they came in, with the removed ones left out and the added ones encoded after
 * them.
 */
public class PassThroughResponseEncoder extends HttpResponseEncoder {
  @Override
  protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
    if (headers instanceof IndexedHeaders indexed) {
      indexed.writeTo(buf);
    } else {
      super.encodeHeaders(headers, buf);
    }
  }
}
