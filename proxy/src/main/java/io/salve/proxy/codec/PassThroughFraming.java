package io.salve.proxy.codec;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * The part of a strict decoder that decodes plain messages itself, beside Netty's decoder: a head that
 * arrived whole and whose body is framed by at most one Content-Length is split once into a {@link
 * ReceivedHead} (its fields stay bytes), and its body is cut into parts as Netty would cut it. Every
 * other message (a head that spans reads, a chunked or close-delimited body, an unusual version,
 * one over the size limits) is left to Netty's decoder, start to end: the two never share a message.
 *
 * <p>The decoder asks {@link #head} for the head to split, calls {@link #start} with the message made
 * of it, and hands over its input with {@link #continueBody} while {@link #inBody}; after a call to
 * Netty's decoder it calls {@link #delegated}. What is passed on here is reported to the decoder's
 * {@link StrictHeads} as it goes. Not thread-safe: one per connection.
 */
public final class PassThroughFraming {
  private final StrictHeads heads;
  private final int maxHeadLength;
  private final int maxChunkSize;
  /** Body bytes of the current message still to come; 0 between messages. */
  private long remaining;
  /** Whether Netty's decoder is in the middle of a message. */
  private boolean delegating;

  /**
   * @param heads the decoder's head checks, told what is passed on here
   * @param maxHeadLength heads this long or longer go to Netty's decoder, whose limits answer them
   * @param maxChunkSize the largest body part to pass on
   */
  public PassThroughFraming(StrictHeads heads, int maxHeadLength, int maxChunkSize) {
    this.heads = heads;
    this.maxHeadLength = maxHeadLength;
    this.maxChunkSize = maxChunkSize;
  }

  /** @return whether the current message's body is being decoded here */
  public boolean inBody() {
    return remaining > 0;
  }

  /**
   * @return the complete, checked head at the reader index, split, or null when Netty's decoder is to
   *     decode this message
   */
  public ReceivedHead head(ByteBuf in) {
    int length = heads.completeHeadLength();
    if (delegating || length <= 0 || length >= maxHeadLength) {
      return null;
    }
    byte[] bytes = new byte[length];
    in.getBytes(in.readerIndex(), bytes);
    ReceivedHead head = ReceivedHead.split(bytes);
    return head.passable() ? head : null;
  }

  /**
   * Consumes {@code head} and passes {@code message}, made of it, on, then the body of {@code
   * bodyLength} bytes as far as it has arrived.
   */
  public void start(ByteBuf in, ReceivedHead head, HttpMessage message, long bodyLength, List<Object> out) {
    in.skipBytes(head.length());
    out.add(message);
    if (bodyLength == 0) {
      out.add(LastHttpContent.EMPTY_LAST_CONTENT);
    } else {
      remaining = bodyLength;
      nextBodyPart(in, out);
    }
    heads.passedOn(true, true, remaining == 0);
  }

  /** Passes on the next part of the body from {@code in}, if any of it arrived. */
  public void continueBody(ByteBuf in, List<Object> out) {
    boolean produced = nextBodyPart(in, out);
    heads.passedOn(false, produced, remaining == 0);
  }

  private boolean nextBodyPart(ByteBuf in, List<Object> out) {
    int n = (int) Math.min(remaining, Math.min(in.readableBytes(), maxChunkSize));
    if (n == 0) {
      return false;
    }
    ByteBuf part = in.readRetainedSlice(n);
    remaining -= n;
    // A body framed by Content-Length has no trailers: no map for them.
    out.add(remaining == 0 ? new DefaultLastHttpContent(part, EmptyHttpHeaders.INSTANCE) : new DefaultHttpContent(part));
    return true;
  }

  /**
   * Follows a call of Netty's decoder, which added {@code out}'s elements from {@code start}: its
   * message lasts until it passes on the message's end.
   */
  public void delegated(List<Object> out, int start) {
    delegating = out.size() == start || !(out.get(out.size() - 1) instanceof LastHttpContent);
  }
}
