package io.salve.proxy.forward;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps the request body parts already sent upstream, so a retry can send them again. Holds at most
 * {@code limit} bytes; past that it lets go of everything and the body is no longer replayable.
 */
final class ReplayBuffer {
  private final long limit;
  private final List<HttpContent> parts = new ArrayList<>();
  private long bytes;
  private boolean overflowed;

  ReplayBuffer(long limit) {
    this.limit = limit;
  }

  /** Keeps a retained duplicate of {@code content} while within the limit. */
  void keep(HttpContent content) {
    if (overflowed) {
      return;
    }
    bytes += content.content().readableBytes();
    if (bytes > limit) {
      overflowed = true;
      release();
      return;
    }
    parts.add(content.retainedDuplicate());
  }

  /** @return whether every part seen so far is still held. */
  boolean replayable() {
    return !overflowed;
  }

  /** Writes duplicates of the kept parts to {@code channel} (not flushed). */
  void replayTo(Channel channel) {
    for (HttpContent c : parts) {
      channel.write(c.retainedDuplicate(), channel.voidPromise());
    }
  }

  void release() {
    for (HttpContent c : parts) {
      c.release();
    }
    parts.clear();
  }
}
