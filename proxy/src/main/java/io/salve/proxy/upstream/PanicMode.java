package io.salve.proxy.upstream;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Panic mode: when too few of an upstream's endpoints are healthy, balance over all of them.
 *
 * <p>Health checks can be wrong (a broken probe path, a flapping network to the probe port). When
 * only a small share of endpoints looks healthy, concentrating all traffic on them would overload
 * them too; spreading load over every endpoint and letting retries and breakers sort out the
 * failures degrades more gracefully.
 */
public final class PanicMode {

  private PanicMode() {}

  /**
   * Whether an upstream is in panic.
   *
   * @param healthy healthy endpoints; {@code 0 <= healthy <= total}
   * @param total all endpoints; {@code >= 0}
   * @param panicThreshold the healthy share below which to panic, in {@code [0, 1]}; 0 disables
   * @return true when panic is enabled, {@code total > 0} and {@code healthy / total <
   *     panicThreshold}
   * @throws IllegalArgumentException on counts or a threshold outside the ranges above
   */
  public static boolean inPanic(int healthy, int total, double panicThreshold) {
    if (total < 0 || healthy < 0 || healthy > total) {
      throw new IllegalArgumentException("need 0 <= healthy <= total: " + healthy + "/" + total);
    }
    checkThreshold(panicThreshold);
    // Divide rather than compare healthy < threshold * total: the product rounds (0.3 * 10 is
    // 3.0000000000000004), which would put "exactly at the threshold" into panic.
    return panicThreshold > 0.0 && total > 0 && (double) healthy / total < panicThreshold;
  }

  /**
   * The endpoints to balance over.
   *
   * <ul>
   *   <li>All healthy (including an empty {@code all}): {@code all} itself, without allocating.
   *   <li>In panic (see {@link #inPanic}): {@code all} itself.
   *   <li>None healthy and panic disabled: an empty list; the caller answers 503
   *       no_healthy_endpoint.
   *   <li>Otherwise: the healthy endpoints, in their order in {@code all}.
   * </ul>
   *
   * <p>{@code isHealthy} is called exactly once per endpoint, so an endpoint whose health flips
   * concurrently is counted and filtered consistently. Callers must not modify the result.
   *
   * @param all every endpoint of the upstream
   * @param isHealthy the health of one endpoint
   * @param panicThreshold as for {@link #inPanic}
   * @return the eligible endpoints
   * @throws IllegalArgumentException on a threshold outside {@code [0, 1]}
   */
  public static <E> List<E> eligible(List<E> all, Predicate<E> isHealthy, double panicThreshold) {
    checkThreshold(panicThreshold);
    List<E> healthy = null; // allocated only once an unhealthy endpoint shows up
    int index = 0;
    for (E endpoint : all) {
      boolean ok = isHealthy.test(endpoint);
      if (healthy == null && !ok) {
        healthy = new ArrayList<>(all.size() - 1);
        healthy.addAll(all.subList(0, index));
      } else if (healthy != null && ok) {
        healthy.add(endpoint);
      }
      index++;
    }
    if (healthy == null || inPanic(healthy.size(), all.size(), panicThreshold)) {
      return all;
    }
    return healthy.isEmpty() ? List.of() : healthy;
  }

  private static void checkThreshold(double panicThreshold) {
    if (!(panicThreshold >= 0.0 && panicThreshold <= 1.0)) { // also rejects NaN
      throw new IllegalArgumentException("panicThreshold must be in [0, 1]: " + panicThreshold);
    }
  }
}
