package io.salve.proxy.forward;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.salve.proxy.upstream.UpstreamStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Keeps the request body parts already read, so a retry can send them again. While an attempt is
 * connected it holds at most {@code limit} bytes; past that it lets go of everything and the body
 * is no longer replayable. Parts that arrive while no attempt is connected (a retry waits or
 * connects) are held whatever the limit, because the next attempt must send them: past the limit
 * that attempt is the last one.
 */
final class ReplayBuffer {
  private final long limit;
  private final List<HttpContent> parts = new ArrayList<>(2); // most bodies come in one or two parts
  private long bytes;
  private boolean overflowed;

  ReplayBuffer(long limit) {
    this.limit = limit;
  }

  /** Keeps a retained duplicate of {@code content}, sent to the current attempt, while within the limit. */
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

  /**
   * Keeps a retained duplicate of {@code content}, read while no attempt is connected, for the next
   * attempt to send; past the limit the body stops being replayable after that attempt.
   */
  void hold(HttpContent content) {
    bytes += content.content().readableBytes();
    if (bytes > limit) {
      overflowed = true;
    }
    parts.add(content.retainedDuplicate());
  }

  /** @return whether every part seen so far is still held within the limit. */
  boolean replayable() {
    return !overflowed;
  }

  /**
   * Writes the held parts to {@code channel} (not flushed): duplicates while the body stays
   * replayable, else the parts themselves, which no later attempt needs.
   */
  void replayTo(Channel channel) {
    replayTo(c -> channel.write(c, channel.voidPromise()));
  }

  /** Writes the held parts to an attempt's stream (not flushed), as {@link #replayTo(Channel)}. */
  void replayTo(UpstreamStream stream) {
    replayTo((Consumer<HttpContent>) stream::write);
  }

  private void replayTo(Consumer<HttpContent> sink) {
    for (HttpContent c : parts) {
      sink.accept(overflowed ? c : c.retainedDuplicate());
    }
    if (overflowed) {
      parts.clear();
    }
  }

  void release() {
    for (HttpContent c : parts) {
      c.release();
    }
    parts.clear();
  }
}
