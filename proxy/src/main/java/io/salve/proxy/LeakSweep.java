package io.salve.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;

/**
 * Makes Netty's leak detector report before the process exits (tests set
 * {@code -Dsalve.leakCheckOnExit=true}): a leak is only reported once the leaked buffer was collected
 * and a later allocation is tracked, which a short-lived process might never reach.
 */
final class LeakSweep {
  private LeakSweep() {}

  static void run() {
    for (int i = 0; i < 5; i++) {
      System.gc();
      try {
        Thread.sleep(50); // shutdown thread only
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      for (int j = 0; j < 64; j++) {
        ByteBuf a = PooledByteBufAllocator.DEFAULT.directBuffer(16);
        ByteBuf b = UnpooledByteBufAllocator.DEFAULT.heapBuffer(16);
        a.release();
        b.release();
      }
    }
  }
}
