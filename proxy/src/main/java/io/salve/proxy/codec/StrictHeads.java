package io.salve.proxy.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * What a strict decoder does around Netty's {@code HttpObjectDecoder}, shared by the client-side
 * request decoder and the upstream-side response decoder:
 *
 * <ol>
 *   <li>Every message head is first checked byte by byte with a {@link HeadScanner}; a violation
 *       fails the message before Netty could parse it leniently, and the rest of the stream is
 *       discarded.
 *   <li>A chunked message can be held back: its head, and the body parts decoded after it, until the
 *       read batch that brought them ends (for requests: until at least one body part came). If a
 *       body part among them is a framing error (bad chunk size, overflow, over-long chunk line, data
 *       longer than its size), the head itself is failed instead and the held parts are dropped: a
 *       message whose framing is broken in what arrived with its head is refused whole, and nothing
 *       of it is passed on. Later framing errors still arrive as failed body parts.
 *   <li>It counts whether a read batch produced any message, so the decoder can keep reading when a
 *       head spans several reads (see {@code StrictRequestDecoder}).
 * </ol>
 *
 * <p>The decoder calls {@link #scan} before and {@link #consumed}/{@link #afterDecode} after each
 * call of Netty's {@code decode}. Not thread-safe: one per connection, used on its event loop.
 */
public final class StrictHeads {
  /** Where a direct buffer's head bytes are copied to be scanned; one per event loop, not per connection. */
  private static final FastThreadLocal<byte[]> SCRATCH =
      new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
          return new byte[512];
        }
      };

  private final HeadScanner scanner;
  private final Predicate<HttpMessage> holdable;
  /** Bytes after the reader index that the scanner has already checked. */
  private int scannedAhead;
  private boolean expectingHead = true;
  private boolean broken;
  /** The held head followed by its held body parts, or null. */
  private List<Object> held;
  private boolean producedInBatch;

  /**
   * @param kind whether heads are requests or responses
   * @param holdable which decoded heads to hold back with their first body parts
   */
  public StrictHeads(HeadScanner.Kind kind, Predicate<HttpMessage> holdable) {
    this.scanner = new HeadScanner(kind);
    this.holdable = holdable;
  }

  /**
   * Discards {@code in} once a malformed message was seen: nothing after it is decoded.
   *
   * @return whether it was discarded
   */
  public boolean discardIfBroken(ByteBuf in) {
    if (broken) {
      in.skipBytes(in.readableBytes());
    }
    return broken;
  }

  /**
   * Checks the bytes of the coming head that were not checked yet.
   *
   * @return what is wrong with them, or null when nothing is (so far)
   */
  public String scan(ByteBuf in) {
    if (broken || !expectingHead || scanner.isComplete()) {
      return null;
    }
    int from = in.readerIndex() + scannedAhead;
    int length = in.writerIndex() - from;
    if (length <= 0) {
      return null;
    }
    int stop = -1;
    if (in.hasArray()) {
      int base = in.arrayOffset();
      int i = scanner.scan(in.array(), base + from, base + from + length);
      stop = i < 0 ? -1 : i - base;
    } else {
      // Copied out in small pieces: the scan ends with the head, and the body may follow in the buffer.
      byte[] scratch = SCRATCH.get();
      for (int pos = from, end = from + length; pos < end && stop < 0; pos += scratch.length) {
        int n = Math.min(scratch.length, end - pos);
        in.getBytes(pos, scratch, 0, n);
        int i = scanner.scan(scratch, 0, n);
        stop = i < 0 ? -1 : pos + i;
      }
    }
    scannedAhead = (stop < 0 ? in.writerIndex() : stop + 1) - in.readerIndex();
    return scanner.problem();
  }

  /**
   * @return the length of the head at the reader index when it is complete and checked (any empty
   *     lines before it included), or -1
   */
  public int completeHeadLength() {
    return !broken && expectingHead && scanner.isComplete() ? scannedAhead : -1;
  }

  /**
   * Follows what {@link PassThroughFraming} passed on without Netty's decoder: such a message is never
   * held or failed, so it skips the checks {@link #afterDecode} makes of each decoded object.
   *
   * @param head whether it passed on a head, the whole scanned head being consumed
   * @param produced whether it passed on anything
   * @param ended whether the message ended
   */
  void passedOn(boolean head, boolean produced, boolean ended) {
    if (head) {
      expectingHead = false;
      scannedAhead = 0;
    }
    producedInBatch |= produced;
    if (ended) {
      endOfMessage();
    }
  }

  /**
   * Turns {@code invalid} into the failed message for {@code problem}, discards the input, and
   * marks the stream broken.
   */
  public <M extends HttpMessage> M fail(ByteBuf in, M invalid, String problem) {
    broken = true;
    in.skipBytes(in.readableBytes());
    invalid.setDecoderResult(DecoderResult.failure(new MalformedMessageException(problem)));
    producedInBatch = true;
    return invalid;
  }

  /** The decoder consumed {@code n} bytes of its input. */
  public void consumed(int n) {
    scannedAhead = Math.max(0, scannedAhead - n);
  }

  /**
   * Follows the messages the decoder just added to {@code out} from index {@code start}: notes
   * where each message ends, takes a holdable head and its body parts out of {@code out} into the
   * hold, and fails a held head whose body part failed.
   */
  public void afterDecode(List<Object> out, int start) {
    int i = start;
    if (held == null) {
      // The common case: nothing to hold or fail, so the messages stay where the decoder put them.
      for (; i < out.size() && passesThrough(out.get(i)); i++) {
        follow(out.get(i));
      }
    }
    if (i < out.size()) {
      rework(out, i);
    }
    if (out.size() > start) {
      producedInBatch = true;
    }
  }

  private boolean passesThrough(Object o) {
    if (o instanceof HttpObject && ((HttpObject) o).decoderResult().isFailure()) {
      return false;
    }
    return !(o instanceof HttpMessage) || o instanceof LastHttpContent || broken || !holdable.test((HttpMessage) o);
  }

  private void follow(Object o) {
    if (o instanceof HttpMessage) {
      expectingHead = false;
    }
    if (o instanceof LastHttpContent) {
      endOfMessage();
    }
  }

  /** Takes the messages from index {@code start} out of {@code out}, holds or fails them, and puts back what may pass. */
  private void rework(List<Object> out, int start) {
    int n = out.size() - start;
    Object[] fresh = new Object[n];
    for (int k = n - 1; k >= 0; k--) {
      fresh[k] = out.remove(start + k);
    }
    for (Object o : fresh) {
      boolean failed = o instanceof HttpObject && ((HttpObject) o).decoderResult().isFailure();
      if (held != null) {
        if (failed) {
          out.add(failHeld(o));
          continue;
        }
        held.add(o);
        if (o instanceof LastHttpContent) { // complete and valid: nothing left to doubt
          out.addAll(held);
          held = null;
          endOfMessage();
        }
        continue;
      }
      if (failed) {
        broken = true;
      }
      if (o instanceof HttpMessage) {
        expectingHead = false;
        if (!broken && !(o instanceof LastHttpContent) && holdable.test((HttpMessage) o)) {
          held = new ArrayList<>(4);
          held.add(o);
          continue;
        }
      }
      out.add(o);
      if (o instanceof LastHttpContent) {
        endOfMessage();
      }
    }
  }

  /** @return the held head, failed because of {@code failedPart}; the held body parts are dropped. */
  private HttpMessage failHeld(Object failedPart) {
    HttpMessage head = (HttpMessage) held.get(0);
    for (int k = 1; k < held.size(); k++) {
      ReferenceCountUtil.release(held.get(k));
    }
    held = null;
    broken = true;
    Throwable cause = ((HttpObject) failedPart).decoderResult().cause();
    ReferenceCountUtil.release(failedPart);
    head.setDecoderResult(DecoderResult.failure(new MalformedMessageException("malformed chunked body", cause)));
    return head;
  }

  private void endOfMessage() {
    expectingHead = true;
    scanner.reset();
    scannedAhead = 0;
  }

  /**
   * Ends a read batch: passes on what the hold releases (the held head and body parts, in order).
   *
   * @param needBodyPart keep holding a head that has no body part yet
   * @return whether the batch produced any message, released now or passed on during it
   */
  public boolean endBatch(ChannelHandlerContext ctx, boolean needBodyPart) {
    boolean released = held != null && !(needBodyPart && held.size() < 2);
    if (released) {
      List<Object> h = held;
      held = null;
      for (int i = 0; i < h.size(); i++) {
        ctx.fireChannelRead(h.get(i));
      }
    }
    // Read after passing them on: a message decoded meanwhile (a read asked for by a handler) counts
    // for this batch.
    boolean produced = producedInBatch || released;
    producedInBatch = false;
    return produced;
  }

  /** Drops whatever is held (the connection is gone), releasing its buffers. */
  public void dropHeld() {
    if (held != null) {
      for (Object o : held) {
        ReferenceCountUtil.release(o);
      }
      held = null;
    }
  }
}
