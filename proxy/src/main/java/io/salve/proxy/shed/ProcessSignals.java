package io.salve.proxy.shed;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.management.OperatingSystemMXBean;
import java.util.List;

/**
 * Reads the process-wide {@code cpu} and {@code heap} signals from the JVM's management beans.
 * Cheap enough to call once per interval; not meant for the request path.
 */
public final class ProcessSignals {
  private final OperatingSystemMXBean os;
  private final MemoryMXBean memory;
  private final List<MemoryPoolMXBean> heapPools;

  private ProcessSignals(OperatingSystemMXBean os, MemoryMXBean memory, List<MemoryPoolMXBean> pools) {
    this.os = os;
    this.memory = memory;
    this.heapPools = pools.stream().filter(p -> p.getType() == MemoryType.HEAP).toList();
  }

  /** @return signals of this JVM */
  public static ProcessSignals system() {
    return new ProcessSignals(
        ManagementFactory.getOperatingSystemMXBean(),
        ManagementFactory.getMemoryMXBean(),
        ManagementFactory.getMemoryPoolMXBeans());
  }

  /**
   * @return the process's recent CPU share of the machine (or container) in [0,1], from {@code
   *     com.sun.management.OperatingSystemMXBean#getProcessCpuLoad()}; NaN where that is
   *     unavailable
   */
  public double cpu() {
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      double load = sun.getProcessCpuLoad();
      // The JVM reports a negative value when it cannot tell (e.g. the very first call on some OSes).
      return load < 0 || Double.isNaN(load) ? Double.NaN : Math.min(1.0, load);
    }
    return Double.NaN;
  }

  /**
   * Heap occupancy as the collector last left it: the heap pools' usage after their last collection
   * ({@link MemoryPoolMXBean#getCollectionUsage()}), summed, over the maximum heap. This ignores
   * garbage not yet collected, so it tracks live data rather than allocation rate. Before any
   * collection has been observed, or where pools do not report collection usage, it falls back to
   * current heap used over max.
   *
   * @return a share in [0,1], or NaN when the maximum heap is unknown
   */
  public double heap() {
    long afterGc = 0;
    boolean reported = false;
    for (MemoryPoolMXBean pool : heapPools) {
      MemoryUsage usage = pool.getCollectionUsage();
      if (usage != null) {
        reported = true;
        afterGc += usage.getUsed();
      }
    }
    MemoryUsage heap = memory.getHeapMemoryUsage();
    return heapShare(reported ? afterGc : -1, heap.getUsed(), heap.getMax(), heap.getCommitted());
  }

  /**
   * @param afterGcUsed summed heap usage after the last collections, or -1 when not reported
   * @param currentUsed heap used now
   * @param max maximum heap, or -1 when undefined
   * @param committed committed heap, the denominator when {@code max} is undefined
   * @return the heap signal in [0,1], or NaN when there is no usable denominator
   */
  static double heapShare(long afterGcUsed, long currentUsed, long max, long committed) {
    long denominator = max > 0 ? max : committed;
    if (denominator <= 0) {
      return Double.NaN;
    }
    // Zero after-GC usage means no collection has run yet, not an empty heap.
    long used = afterGcUsed > 0 ? afterGcUsed : currentUsed;
    return Math.max(0.0, Math.min(1.0, (double) used / denominator));
  }
}
